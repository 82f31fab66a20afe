//! Ethereum BlockchainTests (ethereum/tests and the execution spec tests) through the stateless STF.
//!
//! Each test's rules come from its `network` (a fork, or `AToBAtTime15k`: A from genesis, B from
//! timestamp 15 000) and its `config` (chain id, blob schedule), turned into a [`ChainConfig`] as a
//! rollup's configuration would be. Pre-merge networks are skipped with the reason (the STF proves
//! post-merge blocks only); a network naming a fork the STF does not know fails.
//!
//! For each test: the pre-state becomes a full witness, every block is executed statelessly on top
//! of its parent (side chains included), every valid block must reproduce its header, every block
//! marked `expectException` must be refused, the last block hash must be one we accepted, and the
//! final state must equal `postState` when the test gives it.

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
};

use alloy_consensus::Header;
use alloy_primitives::{B256, Bytes};
use phat_prover_core::{
    BlockOutcome, ChainConfig, ChainConfigParts, ExecutionWitness, StatelessInput, TestNetworkError,
    chain::BlobSchedule, stf::execute_with_changes, witness::MAX_ANCESTORS,
};
use serde::Deserialize;

use crate::{error::CliError, state::FullState};

/// Chain id of the Ethereum test chain (when a test gives none).
pub const TEST_CHAIN_ID: u64 = 1;
/// Networks before the merge, which the STF does not prove.
const PRE_MERGE: [&str; 14] = [
    "Frontier",
    "Homestead",
    "EIP150",
    "EIP158",
    "Byzantium",
    "Constantinople",
    "ConstantinopleFix",
    "Petersburg",
    "Istanbul",
    "MuirGlacier",
    "Berlin",
    "London",
    "ArrowGlacier",
    "GrayGlacier",
];

/// One test of a BlockchainTests file (only the fields the runner needs).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockchainTest {
    /// RLP of the genesis block.
    #[serde(rename = "genesisRLP")]
    pub genesis_rlp: Bytes,
    /// Blocks in import order (side chains included).
    pub blocks: Vec<TestBlock>,
    /// Genesis state.
    pub pre: FullState,
    /// State after the last block, when the test gives it in full.
    pub post_state: Option<FullState>,
    /// Hash of the head after all blocks.
    pub lastblockhash: B256,
    /// Fork name.
    pub network: String,
    /// Chain id and blob schedule (execution spec tests).
    #[serde(default)]
    pub config: Option<TestConfig>,
}

/// The `config` of an execution spec test.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestConfig {
    /// Chain id.
    pub chainid: Option<alloy_primitives::U64>,
    /// Blob schedule by fork name.
    #[serde(default)]
    pub blob_schedule: BTreeMap<String, TestBlobSchedule>,
}

/// One fork's blob schedule in a test's `config`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestBlobSchedule {
    /// Target blobs per block.
    pub target: alloy_primitives::U64,
    /// Most blobs per block.
    pub max: alloy_primitives::U64,
    /// Blob base fee update fraction.
    pub base_fee_update_fraction: alloy_primitives::U64,
}

/// One block of a test.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestBlock {
    /// The block's RLP (possibly malformed for invalid blocks).
    pub rlp: Bytes,
    /// Set when the block must be refused.
    pub expect_exception: Option<String>,
    /// The header of a valid block.
    pub block_header: Option<TestHeader>,
}

/// The part of a test header the runner checks.
#[derive(Debug, Deserialize)]
pub struct TestHeader {
    /// Block hash.
    pub hash: B256,
}

/// The verdict on one test.
#[derive(Debug)]
pub struct CaseResult {
    /// `file:test name`.
    pub name: String,
    /// Blocks processed (accepted or refused).
    pub blocks: usize,
    /// What the runner concluded.
    pub verdict: Verdict,
}

/// What the runner concluded about one test.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The STF agreed with the test on every block.
    Passed,
    /// The STF disagreed (the reason).
    Failed(String),
    /// The test is outside what the STF proves (the reason), e.g. a pre-merge network.
    Skipped(String),
}

/// The rules a test runs under, or the verdict when it cannot run: skipped (pre-merge) or failed (a
/// fork the STF does not know, a config it refuses).
pub fn chain_config(test: &BlockchainTest) -> Result<ChainConfig, Verdict> {
    let network = test.network.as_str();
    let first = network.split_once("To").map_or(network, |(a, _)| a);
    if PRE_MERGE.contains(&first) {
        return Err(Verdict::Skipped(format!(
            "network {network} is before the merge: the STF proves post-merge blocks only"
        )));
    }
    let chain_id = test.config.as_ref().and_then(|c| c.chainid).map_or(TEST_CHAIN_ID, |id| id.to());
    let schedules = test.config.iter().flat_map(|c| &c.blob_schedule).map(|(name, s)| {
        let schedule = BlobSchedule {
            target: s.target.to(),
            max: s.max.to(),
            base_fee_update_fraction: s.base_fee_update_fraction.to(),
        };
        (name.as_str(), schedule)
    });
    let parts = ChainConfigParts::of_test_network(network, chain_id, schedules).map_err(|e| match e {
        TestNetworkError::BlockTransition(_) => Verdict::Skipped(e.to_string()),
        TestNetworkError::UnknownFork { .. } => Verdict::Failed(e.to_string()),
    })?;
    ChainConfig::new(parts).map_err(|e| Verdict::Failed(format!("network {network}: {e}")))
}

/// Every `.json` file under the given files and folders, sorted.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        walk(path, &mut files)?;
    }
    files.sort();
    Ok(files)
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let meta = std::fs::metadata(path).map_err(|e| CliError::io(path.display(), e))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).map_err(|e| CliError::io(path.display(), e))? {
            let entry = entry.map_err(|e| CliError::io(path.display(), e))?;
            walk(&entry.path(), out)?;
        }
    } else if path.extension().is_some_and(|e| e == "json") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Reads the tests of one file.
pub fn read_file(path: &Path) -> Result<BTreeMap<String, BlockchainTest>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::io(path.display(), e))?;
    serde_json::from_str(&text).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// Runs every test of one file.
pub fn run_file(path: &Path) -> Result<Vec<CaseResult>, CliError> {
    let tests = read_file(path)?;
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(tests
        .into_iter()
        .map(|(name, test)| CaseResult {
            name: format!("{file}:{name}"),
            blocks: test.blocks.len(),
            verdict: run_test(&test),
        })
        .collect())
}

/// An accepted block with what it was proven from, for callers that reuse the blocks (benchmark).
pub struct AcceptedBlock<'a> {
    /// Chain rules of the test.
    pub chain: &'a ChainConfig,
    /// The block and its witness (the full parent state).
    pub input: &'a StatelessInput,
    /// The parent state the witness was built from.
    pub parent_state: &'a FullState,
    /// What the STF proved.
    pub outcome: &'a BlockOutcome,
}

/// Runs one test.
pub fn run_test(test: &BlockchainTest) -> Verdict {
    match chain_config(test) {
        Err(verdict) => verdict,
        Ok(chain) => match run_test_with(test, &chain, &mut |_| {}) {
            Ok(()) => Verdict::Passed,
            Err(reason) => Verdict::Failed(reason),
        },
    }
}

/// Runs one test under `chain`, handing every accepted block to `visit`; `Err` says where the STF
/// disagreed with it.
pub fn run_test_with(
    test: &BlockchainTest,
    chain: &ChainConfig,
    visit: &mut dyn FnMut(AcceptedBlock<'_>),
) -> Result<(), String> {
    let genesis = phat_prover_core::witness::decode_exact::<phat_prover_core::witness::L2Block>(&test.genesis_rlp)
        .map_err(|e| format!("genesis: {e}"))?
        .header;
    let (pre_root, _) = test.pre.witness().map_err(|e| e.to_string())?;
    if pre_root != genesis.state_root {
        return Err(format!("pre-state root {pre_root} != genesis state root {}", genesis.state_root));
    }
    let genesis_hash = genesis.hash_slow();
    let mut known: HashMap<B256, (Header, FullState)> = HashMap::from([(genesis_hash, (genesis, test.pre.clone()))]);

    for (index, block) in test.blocks.iter().enumerate() {
        let expect_invalid = block.expect_exception.is_some();
        let verdict = prove_on_known(chain, &block.rlp, &known, visit);
        match (verdict, expect_invalid) {
            (Err(_), true) => {}
            (Ok(_), true) => {
                return Err(format!(
                    "block {index}: accepted, but expected {}",
                    block.expect_exception.as_deref().unwrap_or("")
                ));
            }
            (Err(e), false) => return Err(format!("block {index}: refused: {e}")),
            (Ok((header, hash, state)), false) => {
                if let Some(expected) = &block.block_header
                    && expected.hash != hash
                {
                    return Err(format!("block {index}: hash {hash}, test says {}", expected.hash));
                }
                known.insert(hash, (header, state));
            }
        }
    }
    let (_, last_state) = known
        .get(&test.lastblockhash)
        .ok_or_else(|| format!("lastblockhash {} was never accepted", test.lastblockhash))?;
    if let Some(post) = &test.post_state
        && post != last_state
    {
        return Err("final state differs from postState".into());
    }
    Ok(())
}

/// Proves one block (RLP) on top of the accepted blocks: witness = full parent state.
fn prove_on_known(
    chain: &ChainConfig,
    rlp: &[u8],
    known: &HashMap<B256, (Header, FullState)>,
    visit: &mut dyn FnMut(AcceptedBlock<'_>),
) -> Result<(Header, B256, FullState), String> {
    let mut witness = ExecutionWitness::default();
    let block = phat_prover_core::witness::decode_exact::<phat_prover_core::witness::L2Block>(rlp)
        .map_err(|e| e.to_string())?;
    let mut parent_state = None;
    let mut cursor = block.header.parent_hash;
    while let Some((header, state)) = known.get(&cursor) {
        if witness.headers.len() == MAX_ANCESTORS {
            break;
        }
        parent_state.get_or_insert(state);
        witness.headers.push(alloy_rlp::encode(header).into());
        cursor = header.parent_hash;
    }
    if let Some(state) = parent_state {
        let (_, full) = state.witness().map_err(|e| e.to_string())?;
        (witness.state, witness.codes, witness.keys) = (full.state, full.codes, full.keys);
    }
    let input = StatelessInput { block, witness };
    let (outcome, changes) = execute_with_changes(chain, &input).map_err(|e| e.to_string())?;
    let mut state = parent_state.cloned().unwrap_or_default();
    visit(AcceptedBlock { chain, input: &input, parent_state: &state, outcome: &outcome });
    state.apply(&changes);
    Ok((input.block.header, outcome.block_hash, state))
}
