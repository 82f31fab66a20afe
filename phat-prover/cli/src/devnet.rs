//! The main job, at this stage of the project: a local L2 (anvil, Prague rules) with real traffic,
//! each new block fetched as a witness, executed statelessly, signed and verified.
//!
//! L1 contracts, the Phat prover cluster, the relayer and the proof feed join in later issues.

use std::time::Instant;

use alloy_primitives::{Address, B256, keccak256};
use phat_prover_core::{BlockPublicInput, LocalSigner, ProofDomain, Signer, TeeProof};

use phat_devkit::{Anvil, DEV_KEY, L2_HARDFORK, Traffic, l2_chain_config};
use phat_witness::{ProofFile, fetch};

use crate::error::CliError;

/// L2 chain id of the devnet.
pub const L2_CHAIN_ID: u64 = 167_001;

/// Options of a devnet run.
#[derive(Debug, Clone)]
pub struct DevnetOptions {
    /// Transactions (= L2 blocks) to send; 0 = until interrupted.
    pub blocks: u64,
    /// L1 chain id and verifier the proofs are bound to.
    pub l1_chain_id: u64,
    /// Address of the L1 `TeeVerifier`.
    pub verifier: Address,
}

/// Runs the devnet and prints one line per proven block.
pub async fn run(opts: &DevnetOptions) -> Result<(), CliError> {
    let anvil = Anvil::spawn(&["--hardfork", L2_HARDFORK, "--chain-id", &L2_CHAIN_ID.to_string()])?;
    let chain = l2_chain_config(L2_CHAIN_ID);
    println!(
        "L2: anvil ({L2_HARDFORK}) at {} (pid {}), chain id {L2_CHAIN_ID}, chain config {}",
        anvil.url,
        anvil.pid(),
        chain.hash()
    );
    // A development prover key, derived from a public string: this stands in for the key the Phat
    // contract derives inside the TEE.
    let signer = LocalSigner::from_bytes(&keccak256("phat-sgx-prover devnet prover"))
        .map_err(|e| CliError::Input(e.to_string()))?;
    println!("prover (development key, not in a TEE): {}", signer.address());
    let domain = ProofDomain {
        l1_chain_id: opts.l1_chain_id,
        verifier: opts.verifier,
        l2_chain_id: L2_CHAIN_ID,
        prover: signer.address(),
    };
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY)?;
    // anvil's genesis header carries the empty-trie root, so block 1 cannot be checked: start at 2.
    let mut next = 2u64;
    let (mut proven, mut gas, mut prove_secs) = (0u64, 0u64, 0f64);
    println!(
        "{:>6} {:>4} {:>9} {:>9} {:>8} {:>8}  block hash / post-state root / tx",
        "block", "txs", "gas", "witness", "fetch", "prove"
    );
    let mut sent = 0u64;
    while opts.blocks == 0 || sent < opts.blocks {
        let what = traffic.step().await?;
        sent += 1;
        let head = traffic.head().await?;
        while next <= head {
            let t = Instant::now();
            let file = fetch::fetch_witness(&anvil.url, next, &chain).await?;
            let fetch = t.elapsed();
            let witness_bytes: usize = file
                .witness
                .state
                .iter()
                .chain(&file.witness.codes)
                .chain(&file.witness.headers)
                .map(|b| b.len())
                .sum();
            let t = Instant::now();
            let input = file.input(&chain)?;
            let outcome = phat_prover_core::execute(&chain, &input)?;
            let digest = BlockPublicInput::new(&domain, &outcome).digest();
            let proof = TeeProof::sign(&signer, digest)?;
            let elapsed = t.elapsed();
            ProofFile::new(&domain, &outcome, &proof).verify(Some(signer.address()))?;
            println!(
                "{:>6} {:>4} {:>9} {:>8}B {:>6}ms {:>6}ms  {} {} {what}",
                outcome.number,
                outcome.tx_count,
                outcome.gas_used,
                witness_bytes,
                fetch.as_millis(),
                elapsed.as_millis(),
                short(outcome.block_hash),
                short(outcome.post_state_root),
            );
            proven += 1;
            gas += outcome.gas_used;
            prove_secs += elapsed.as_secs_f64();
            next += 1;
        }
    }
    println!(
        "{proven} blocks proven and verified, {gas} gas, {:.2} ms per block in the STF",
        1e3 * prove_secs / proven.max(1) as f64
    );
    Ok(())
}

fn short(h: B256) -> String {
    let s = h.to_string();
    format!("{}…{}", &s[..8], &s[s.len() - 4..])
}
