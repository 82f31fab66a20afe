//! Stateless vs plain execution, measured in one run over the same blocks.
//!
//! (a) plain: revm through the same alloy-evm block executor over a full in-memory state
//! (`CacheDB`), no trie work; (b) stateless: the whole STF from the witness — trie opening, reads
//! through the partial trie, every header check, post-state root. Reported as Mgas/s and the ratio.

use std::{path::PathBuf, time::Instant};

use phat_prover_core::{ChainConfig, StatelessInput, execute, stf};

use crate::{error::CliError, ethtest, state::FullState};

/// One block with both of its inputs.
pub struct BenchBlock {
    chain: ChainConfig,
    input: StatelessInput,
    parent_state: FullState,
    gas: u64,
}

/// Figures of one benchmark run.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub blocks: usize,
    pub iterations: u32,
    pub gas_per_iteration: u64,
    pub plain_mgas_per_s: f64,
    pub stateless_mgas_per_s: f64,
    /// stateless / plain throughput.
    pub ratio: f64,
}

/// Every valid block of the BlockchainTests under `paths` that has transactions.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<BenchBlock>, CliError> {
    let mut blocks = Vec::new();
    for file in ethtest::collect_files(paths)? {
        for (name, test) in ethtest::read_file(&file)? {
            let Ok(chain) = ethtest::chain_config(&test) else { continue };
            ethtest::run_test_with(&test, &chain, &mut |b| {
                if b.outcome.gas_used > 0 {
                    blocks.push(BenchBlock {
                        chain: b.chain.clone(),
                        input: b.input.clone(),
                        parent_state: b.parent_state.clone(),
                        gas: b.outcome.gas_used,
                    });
                }
            })
            .map_err(|e| CliError::Input(format!("{name}: {e}")))?;
        }
    }
    Ok(blocks)
}

/// Times both paths over `blocks`, alternating them each iteration so drift hits both alike.
pub fn run(blocks: &[BenchBlock], iterations: u32) -> Result<BenchReport, CliError> {
    let gas: u64 = blocks.iter().map(|b| b.gas).sum();
    let (mut plain, mut stateless) = (0f64, 0f64);
    for _ in 0..iterations {
        // The baseline's state is already in memory: build its databases outside the timing.
        let dbs: Vec<_> = blocks.iter().map(|b| b.parent_state.to_cache_db()).collect();
        let t = Instant::now();
        for (b, db) in blocks.iter().zip(dbs) {
            let txs = stf::recover_senders(&b.input.block)?;
            let fork = b
                .chain
                .fork_at(b.input.block.header.timestamp)
                .map_err(phat_prover_core::HeaderError::from)
                .map_err(phat_prover_core::StfError::from)?;
            let (result, _) = stf::execute_transactions(&b.chain, fork, &b.input.block, &txs, db)?;
            if result.gas_used != b.gas {
                return Err(CliError::Input("plain execution disagrees on gas used".into()));
            }
        }
        plain += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for b in blocks {
            execute(&b.chain, &b.input)?;
        }
        stateless += t.elapsed().as_secs_f64();
    }
    let total = gas as f64 * f64::from(iterations) / 1e6;
    let (plain_mgas_per_s, stateless_mgas_per_s) = (total / plain, total / stateless);
    Ok(BenchReport {
        blocks: blocks.len(),
        iterations,
        gas_per_iteration: gas,
        plain_mgas_per_s,
        stateless_mgas_per_s,
        ratio: stateless_mgas_per_s / plain_mgas_per_s,
    })
}
