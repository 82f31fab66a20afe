//! Stateless vs plain execution, measured in one run over the same blocks, per block.
//!
//! (a) plain: revm through the same alloy-evm block executor over an in-memory state (`CacheDB`)
//! that already holds everything the block reads — no trie, no witness, no header checks; (b)
//! stateless: the whole STF from the witness — indexing and committing to the witness, the
//! partial trie, every header check, the post-state root. Both recover the senders.
//!
//! The in-memory state is the test's full pre-state for conformance-test blocks; for blocks that
//! come with a witness only (stateless inputs, witness bundles), one untimed pass of the block
//! over the witness fills the cache with every account, slot, code and block hash it reads.
//!
//! Each path's time per block is the fastest of the iterations (the least disturbed by the rest of
//! the machine), and a group's ratio is plain time / stateless time over its blocks: 1.0 means the
//! stateless STF is as fast as plain execution. Time, not gas per second: a block that burns its
//! gas in one failing opcode makes Mgas/s meaningless.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, U256};
use phat_prover_core::{ChainConfig, StatelessInput, StfError, WitnessBundle, execute, stf};
use revm::{
    bytecode::Bytecode,
    database::{CacheDB, EmptyDB},
    state::AccountInfo,
};

use crate::{error::CliError, ethtest};

/// One block with both of its inputs.
pub struct BenchBlock {
    /// The group it is reported in.
    pub group: String,
    /// Where it came from.
    pub name: String,
    chain: ChainConfig,
    input: StatelessInput,
    plain_db: CacheDB<EmptyDB>,
    gas: u64,
}

/// Figures of one block.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockFigures {
    pub group: String,
    pub name: String,
    pub gas: u64,
    pub plain_us: f64,
    pub stateless_us: f64,
    /// plain time / stateless time.
    pub ratio: f64,
}

/// Figures of one group of blocks.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupFigures {
    pub group: String,
    pub blocks: usize,
    pub gas: u64,
    /// Mean time per block.
    pub plain_ms_per_block: f64,
    pub stateless_ms_per_block: f64,
    /// plain time / stateless time over the group.
    pub ratio: f64,
    /// The lowest and highest per-block ratios.
    pub min_ratio: f64,
    pub max_ratio: f64,
}

/// Figures of one benchmark run.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub iterations: u32,
    pub groups: Vec<GroupFigures>,
    pub blocks: Vec<BlockFigures>,
}

/// Every valid block with transactions of the BlockchainTests under `paths` (group "small"),
/// over the test's full pre-state.
pub fn from_ethtests(paths: &[PathBuf]) -> Result<Vec<BenchBlock>, CliError> {
    let mut blocks = Vec::new();
    for file in ethtest::collect_files(paths)? {
        for (name, test) in ethtest::read_file(&file)? {
            let Ok(chain) = ethtest::chain_config(&test) else { continue };
            ethtest::run_test_with(&test, &chain, &mut |b| {
                if b.outcome.gas_used > 0 {
                    blocks.push(BenchBlock {
                        group: "small".into(),
                        name: format!("{name} #{}", b.outcome.number),
                        chain: b.chain.clone(),
                        input: b.input.clone(),
                        plain_db: b.parent_state.to_cache_db(),
                        gas: b.outcome.gas_used,
                    });
                }
            })
            .map_err(|e| CliError::Input(format!("{name}: {e}")))?;
        }
    }
    Ok(blocks)
}

/// The valid stateless inputs under `paths` (group "heavy": the zkEVM ecosystem's worst-case
/// blocks).
pub fn from_stateless(paths: &[PathBuf]) -> Result<Vec<BenchBlock>, CliError> {
    let mut blocks = Vec::new();
    for file in ethtest::collect_files(paths)? {
        let stateless = phat_witness::stateless::StatelessFile::read(&file)?;
        if !stateless.success {
            continue;
        }
        let (chain, input) = stateless.input()?;
        blocks.push(with_warm_cache("heavy", stateless.name, chain, input)?);
    }
    Ok(blocks)
}

/// The witness bundles of `dir` (its `index.json`, as `phat-prover bundle` writes it, each entry
/// with the canonical chain config it was proven under): group "heavy" (e.g. `bundle --heavy`).
pub fn from_bundles(dir: &Path) -> Result<Vec<BenchBlock>, CliError> {
    #[derive(serde::Deserialize)]
    struct Entry {
        file: String,
        chain_config: alloy_primitives::Bytes,
    }
    let index = dir.join("index.json");
    let text = std::fs::read_to_string(&index).map_err(|e| CliError::io(index.display(), e))?;
    let entries: Vec<Entry> =
        serde_json::from_str(&text).map_err(|e| CliError::Input(format!("{}: {e}", index.display())))?;
    let mut blocks = Vec::new();
    for entry in entries {
        let path = dir.join(&entry.file);
        let bytes = std::fs::read(&path).map_err(|e| CliError::io(path.display(), e))?;
        let chain = ChainConfig::from_canonical(&entry.chain_config)
            .map_err(|e| CliError::Input(format!("{}: chain config: {e}", entry.file)))?;
        let bundle = WitnessBundle::from_bytes(&bytes).map_err(|e| CliError::Input(format!("{}: {e}", entry.file)))?;
        let input = bundle.into_input(&chain).map_err(|e| CliError::Input(format!("{}: {e}", entry.file)))?;
        blocks.push(with_warm_cache("heavy", entry.file, chain, input)?);
    }
    Ok(blocks)
}

/// The block with an in-memory state holding everything it reads: one untimed pass over the
/// witness, through a cache that keeps what it loaded.
fn with_warm_cache(
    group: &str,
    name: String,
    chain: ChainConfig,
    input: StatelessInput,
) -> Result<BenchBlock, CliError> {
    let outcome = execute(&chain, &input)?;
    let mut warm = Recorder { witness: stf::witness_db(&input)?, seen: CacheDB::new(EmptyDB::default()) };
    if plain(&chain, &input, &mut warm)? != outcome.gas_used {
        return Err(CliError::Input(format!("{name}: the warm-up pass disagrees on gas used")));
    }
    Ok(BenchBlock { group: group.into(), name, chain, input, plain_db: warm.seen, gas: outcome.gas_used })
}

/// Reads through the witness, keeping each answer in an in-memory state.
#[derive(Debug)]
struct Recorder {
    witness: phat_prover_core::db::WitnessDb,
    seen: CacheDB<EmptyDB>,
}

impl revm::Database for Recorder {
    type Error = phat_prover_core::DbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        let info = self.witness.basic(address)?;
        if let Some(info) = &info {
            self.seen.insert_account_info(address, info.clone());
        }
        Ok(info)
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        let code = self.witness.code_by_hash(code_hash)?;
        self.seen.cache.contracts.insert(code_hash, code.clone());
        Ok(code)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Self::Error> {
        let value = self.witness.storage(address, index)?;
        // The account was read (and recorded) before any of its slots.
        let _ = self.seen.insert_account_storage(address, index, value);
        Ok(value)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        let hash = self.witness.block_hash(number)?;
        self.seen.cache.block_hashes.insert(U256::from(number), hash);
        Ok(hash)
    }
}

/// Plain execution of `input`'s block over `db`: its gas used.
fn plain<DB>(chain: &ChainConfig, input: &StatelessInput, db: DB) -> Result<u64, StfError>
where
    DB: revm::Database + core::fmt::Debug,
{
    let fork = chain.fork_at(input.block.header.timestamp).map_err(phat_prover_core::HeaderError::from)?;
    let txs = stf::recover_senders(&input.block)?;
    let (result, _) = stf::execute_transactions(chain, fork, &input.block, &txs, db)?;
    Ok(result.gas_used)
}

/// Times both paths over `blocks`, alternating them each iteration so drift hits both alike.
pub fn run(blocks: &[BenchBlock], iterations: u32) -> Result<BenchReport, CliError> {
    let mut best = vec![(Duration::MAX, Duration::MAX); blocks.len()];
    for _ in 0..iterations.max(1) {
        for (b, best) in blocks.iter().zip(&mut best) {
            // The baseline's state is already in memory: its copy is made outside the timing.
            let db = b.plain_db.clone();
            let t = Instant::now();
            let gas = plain(&b.chain, &b.input, db)?;
            best.0 = best.0.min(t.elapsed());
            if gas != b.gas {
                return Err(CliError::Input(format!("{}: plain execution disagrees on gas used", b.name)));
            }
            let t = Instant::now();
            execute(&b.chain, &b.input)?;
            best.1 = best.1.min(t.elapsed());
        }
    }
    let figures: Vec<BlockFigures> = blocks
        .iter()
        .zip(best)
        .map(|(b, (p, s))| BlockFigures {
            group: b.group.clone(),
            name: b.name.clone(),
            gas: b.gas,
            plain_us: p.as_secs_f64() * 1e6,
            stateless_us: s.as_secs_f64() * 1e6,
            ratio: p.as_secs_f64() / s.as_secs_f64(),
        })
        .collect();
    let mut groups: Vec<String> = figures.iter().map(|f| f.group.clone()).collect();
    groups.dedup();
    let groups = groups
        .into_iter()
        .map(|group| {
            let of: Vec<&BlockFigures> = figures.iter().filter(|f| f.group == group).collect();
            let n = of.len() as f64;
            let plain: f64 = of.iter().map(|f| f.plain_us).sum();
            let stateless: f64 = of.iter().map(|f| f.stateless_us).sum();
            GroupFigures {
                group,
                blocks: of.len(),
                gas: of.iter().map(|f| f.gas).sum(),
                plain_ms_per_block: plain / n / 1e3,
                stateless_ms_per_block: stateless / n / 1e3,
                ratio: plain / stateless,
                min_ratio: of.iter().map(|f| f.ratio).fold(f64::INFINITY, f64::min),
                max_ratio: of.iter().map(|f| f.ratio).fold(0.0, f64::max),
            }
        })
        .collect();
    Ok(BenchReport { iterations, groups, blocks: figures })
}
