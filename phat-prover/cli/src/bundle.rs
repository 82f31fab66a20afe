//! Witness bundles (`phat_prover_core::WitnessBundle`), the byte input of the Phat contract's
//! `prove`: from a witness file, or for every accepted block of an Ethereum BlockchainTests file.

use std::path::Path;

use alloy_primitives::{B256, Bytes};
use phat_prover_core::WitnessBundle;
use serde::Serialize;

use phat_devkit::{
    Anvil, DEV_KEY, L2_HARDFORK, Traffic, l2_chain_config,
    traffic::{KECCAK_LOOP_INIT, SSTORE_LOOP_INIT},
};
use phat_witness::fetch;

use crate::{error::CliError, ethtest};

/// anvil's default chain id.
const ANVIL_CHAIN_ID: u64 = 31_337;

/// One bundle written, and what the STF proved from it.
#[derive(Debug, Clone, Serialize)]
pub struct BundleEntry {
    pub file: String,
    pub block_number: u64,
    pub block_hash: B256,
    pub post_state_root: B256,
    pub gas_used: u64,
    pub bytes: usize,
    /// The canonical encoding of the chain config the block was proven under (what the Phat
    /// contract's configuration takes).
    pub chain_config: Bytes,
}

/// Writes a bundle for every accepted block of the BlockchainTests in `path` into `out`, and
/// `index.json` listing them.
pub fn from_ethtest(path: &Path, out: &Path) -> Result<Vec<BundleEntry>, CliError> {
    std::fs::create_dir_all(out).map_err(|e| CliError::io(out.display(), e))?;
    let mut entries = Vec::new();
    let mut failure = None;
    for (case, test) in ethtest::read_file(path)? {
        let chain = ethtest::chain_config(&test).map_err(|v| CliError::Input(format!("{case}: {v:?}")))?;
        let verdict = ethtest::run_test_with(&test, &chain, &mut |accepted| {
            if failure.is_some() {
                return;
            }
            let chain = accepted.chain;
            let block: Bytes = alloy_rlp::encode(&accepted.input.block).into();
            let bundle = WitnessBundle::new(chain.chain_id(), block, accepted.input.witness.clone()).to_bytes();
            let name = format!("{:03}-{}.bundle", entries.len(), accepted.outcome.number);
            let file = out.join(&name);
            if let Err(e) = std::fs::write(&file, &bundle) {
                failure = Some(CliError::io(file.display(), e));
                return;
            }
            entries.push(BundleEntry {
                file: name,
                block_number: accepted.outcome.number,
                block_hash: accepted.outcome.block_hash,
                post_state_root: accepted.outcome.post_state_root,
                gas_used: accepted.outcome.gas_used,
                bytes: bundle.len(),
                chain_config: chain.to_canonical().into(),
            });
        });
        if let Some(e) = failure.take() {
            return Err(e);
        }
        verdict.map_err(|e| CliError::Input(format!("{case}: {e}")))?;
    }
    write_index(out, &entries)?;
    Ok(entries)
}

fn write_index(out: &Path, entries: &[BundleEntry]) -> Result<(), CliError> {
    let index = out.join("index.json");
    let json = serde_json::to_vec_pretty(entries).map_err(|e| CliError::Input(e.to_string()))?;
    std::fs::write(&index, json).map_err(|e| CliError::io(index.display(), e))
}

/// Heavy blocks made on a fresh anvil (Prague, 60 M gas limit), one transaction each: a keccak loop
/// of 5, 10, 20 and 30 M gas and a storage-writing loop of 10 and 30 M gas. Writes their bundles
/// (witness from the node, as `phat-prover witness` fetches it) and `index.json` into `out`; each
/// block is proven natively first, so only blocks the STF accepts are written.
pub async fn heavy_blocks(out: &Path) -> Result<Vec<BundleEntry>, CliError> {
    std::fs::create_dir_all(out).map_err(|e| CliError::io(out.display(), e))?;
    let anvil = Anvil::spawn(&["--hardfork", L2_HARDFORK, "--gas-limit", "60000000"])?;
    let chain = l2_chain_config(ANVIL_CHAIN_ID);
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY)?;
    // Block 1 first: anvil's genesis header does not follow Ethereum's base fee rule.
    traffic.step().await?;
    let loads: [(&[u8], u64); 6] = [
        (&KECCAK_LOOP_INIT, 5_000_000),
        (&KECCAK_LOOP_INIT, 10_000_000),
        (&KECCAK_LOOP_INIT, 20_000_000),
        (&KECCAK_LOOP_INIT, 30_000_000),
        (&SSTORE_LOOP_INIT, 10_000_000),
        (&SSTORE_LOOP_INIT, 30_000_000),
    ];
    let mut entries = Vec::new();
    for (init, gas) in loads {
        let (number, _) = traffic.create(init, gas).await?;
        let witness = fetch::fetch_witness(&anvil.url, number, &chain).await?;
        let input = witness.input(&chain)?;
        let outcome =
            phat_prover_core::execute(&chain, &input).map_err(|e| CliError::Input(format!("block {number}: {e}")))?;
        let bundle = witness.bundle().to_bytes();
        let name = format!("{:03}-{number}.bundle", entries.len());
        let file = out.join(&name);
        std::fs::write(&file, &bundle).map_err(|e| CliError::io(file.display(), e))?;
        entries.push(BundleEntry {
            file: name,
            block_number: number,
            block_hash: outcome.block_hash,
            post_state_root: outcome.post_state_root,
            gas_used: outcome.gas_used,
            bytes: bundle.len(),
            chain_config: chain.to_canonical().into(),
        });
    }
    write_index(out, &entries)?;
    Ok(entries)
}
