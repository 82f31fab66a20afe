//! Witness bundles (`phat_prover_core::WitnessBundle`), the byte input of the Phat contract's
//! `prove`: from a witness file, or for every accepted block of an Ethereum BlockchainTests file.

use std::path::Path;

use alloy_primitives::{B256, Bytes};
use phat_prover_core::WitnessBundle;
use serde::Serialize;

use crate::{error::CliError, ethtest, files::WitnessFile};

/// One bundle written, and what the STF proved from it.
#[derive(Debug, Clone, Serialize)]
pub struct BundleEntry {
    pub file: String,
    pub block_number: u64,
    pub block_hash: B256,
    pub post_state_root: B256,
    pub gas_used: u64,
    pub bytes: usize,
}

/// The bundle of a witness file.
pub fn from_witness(file: &WitnessFile) -> WitnessBundle {
    let chain = phat_prover_core::ChainSpec::new(file.chain_id, file.prague_time);
    WitnessBundle::new(&chain, file.block.clone(), file.witness.clone())
}

/// Writes a bundle for every accepted block of the BlockchainTests in `path` into `out`, and
/// `index.json` listing them.
pub fn from_ethtest(path: &Path, out: &Path) -> Result<Vec<BundleEntry>, CliError> {
    std::fs::create_dir_all(out).map_err(|e| CliError::io(out.display(), e))?;
    let mut entries = Vec::new();
    let mut failure = None;
    for (case, test) in ethtest::read_file(path)? {
        let verdict = ethtest::run_test_with(&test, &mut |accepted| {
            if failure.is_some() {
                return;
            }
            let chain = accepted.chain;
            let block: Bytes = alloy_rlp::encode(&accepted.input.block).into();
            let bundle = WitnessBundle::new(chain, block, accepted.input.witness.clone()).to_bytes();
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
            });
        });
        if let Some(e) = failure.take() {
            return Err(e);
        }
        verdict.map_err(|e| CliError::Input(format!("{case}: {e}")))?;
    }
    let index = out.join("index.json");
    let json = serde_json::to_vec_pretty(&entries).map_err(|e| CliError::Input(e.to_string()))?;
    std::fs::write(&index, json).map_err(|e| CliError::io(index.display(), e))?;
    Ok(entries)
}
