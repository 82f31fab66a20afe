//! Ethereum BlockchainTests through the stateless STF.
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
    BlockOutcome, ChainSpec, ExecutionWitness, StatelessInput, stf::execute_with_changes, witness::MAX_ANCESTORS,
};
use serde::Deserialize;

use crate::{error::CliError, state::FullState};

/// Chain id of the Ethereum test chain.
pub const TEST_CHAIN_ID: u64 = 1;

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
    /// `Err(reason)` when the STF disagreed with the test.
    pub verdict: Result<(), String>,
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
    pub chain: &'a ChainSpec,
    /// The block and its witness (the full parent state).
    pub input: &'a StatelessInput,
    /// The parent state the witness was built from.
    pub parent_state: &'a FullState,
    /// What the STF proved.
    pub outcome: &'a BlockOutcome,
}

/// Runs one test; `Err` says where the STF disagreed with it.
pub fn run_test(test: &BlockchainTest) -> Result<(), String> {
    run_test_with(test, &mut |_| {})
}

/// [`run_test`], handing every accepted block to `visit`.
pub fn run_test_with(test: &BlockchainTest, visit: &mut dyn FnMut(AcceptedBlock<'_>)) -> Result<(), String> {
    if test.network != "Cancun" && test.network != "Prague" {
        return Err(format!("network {} is not supported (Cancun, Prague)", test.network));
    }
    let chain =
        if test.network == "Prague" { ChainSpec::prague(TEST_CHAIN_ID) } else { ChainSpec::cancun(TEST_CHAIN_ID) };
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
        let verdict = prove_on_known(&chain, &block.rlp, &known, visit);
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
    chain: &ChainSpec,
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
