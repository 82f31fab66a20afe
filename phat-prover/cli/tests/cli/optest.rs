//! The OP STF on the real OP Sepolia blocks of `fixtures/op`: each reproduces its block hash, and
//! each way of changing one is refused with the error that names it.

use std::path::{Path, PathBuf};

use alloy_consensus::proofs::calculate_transaction_root;
use alloy_primitives::Bytes;
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use phat_prover_cli::{
    ethtest::{Verdict, collect_files},
    optest::{self, OpFixture},
};
use phat_prover_core::{
    HeaderError, OpBlockError, StfError,
    op::{OpChainConfig, OpChainConfigParts, OpStatelessInput},
};

fn fixture_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/op");
    let files = collect_files(&[dir]).expect("the OP fixtures are readable");
    assert!(!files.is_empty(), "no OP fixtures found");
    files
}

/// The smallest fixture (fewest bytes): the per-node mutation runs over it.
fn smallest() -> PathBuf {
    fixture_files().into_iter().min_by_key(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(u64::MAX)).unwrap()
}

fn reseal(input: &mut OpStatelessInput) {
    input.block.header.transactions_root = calculate_transaction_root(&input.block.body.transactions);
}

fn deposit(tx: &OpTxEnvelope) -> TxDeposit {
    match tx {
        OpTxEnvelope::Deposit(d) => d.inner().clone(),
        _ => panic!("transaction 0 of a real OP block is a deposit"),
    }
}

#[test]
fn every_real_op_block_reproduces_its_hash() {
    for file in fixture_files() {
        let (name, verdict, outcome) = optest::run_file(&file).unwrap();
        assert_eq!(verdict, Verdict::Passed, "{name}");
        let fixture = OpFixture::read(&file).unwrap();
        let outcome = outcome.unwrap();
        assert_eq!(outcome.block.block_hash, fixture.expected_block_hash);
        assert_eq!(outcome.block.number, fixture.block_number);
        // The L1 origin comes from the L1-attributes deposit; the attributes' timestamp is after it.
        let origin = outcome.l1_origin;
        assert!(origin.number > 0 && origin.timestamp <= fixture.payload_attributes.timestamp, "{name}");
    }
}

#[test]
fn mutated_blocks_are_refused() {
    for file in fixture_files() {
        let fixture = OpFixture::read(&file).unwrap();
        let chain = fixture.chain().unwrap();
        let input = fixture.input().unwrap();
        let refuse = |input: &OpStatelessInput| {
            phat_prover_core::op::execute(&chain, input).expect_err("a changed block is refused")
        };

        // The L1-attributes deposit dropped (the transactions root updated to match).
        let mut dropped = input.clone();
        dropped.block.body.transactions.remove(0);
        reseal(&mut dropped);
        assert!(matches!(refuse(&dropped), StfError::Op(OpBlockError::NoL1InfoDeposit)), "{file:?}");

        // The deposit after a user transaction.
        let mut late = input.clone();
        late.block.body.transactions.swap(0, 1);
        reseal(&mut late);
        assert!(matches!(refuse(&late), StfError::Op(OpBlockError::DepositAfterTransaction { index: 1 })));

        // A system deposit (none after Regolith).
        let mut system = input.clone();
        let mut tx = deposit(&system.block.body.transactions[0]);
        tx.is_system_transaction = true;
        system.block.body.transactions[0] = tx.into();
        reseal(&mut system);
        assert!(matches!(refuse(&system), StfError::Op(OpBlockError::SystemDeposit { index: 0 })));

        // A fee changed: the L1 base-fee scalar of the L1-attributes deposit (bytes 4..8) doubled.
        // Every user transaction then pays another L1 fee into the L1FeeVault: the state root differs.
        let mut fee = input.clone();
        let mut tx = deposit(&fee.block.body.transactions[0]);
        let mut calldata = tx.input.to_vec();
        calldata[7] = calldata[7].wrapping_mul(2).max(1);
        tx.input = Bytes::from(calldata);
        fee.block.body.transactions[0] = tx.into();
        reseal(&mut fee);
        assert!(matches!(refuse(&fee), StfError::StateRoot { .. }), "{file:?}: {:?}", refuse(&fee));

        // The base fee one wei off the EIP-1559 parameters of the parent's extraData.
        let mut base_fee = input.clone();
        base_fee.block.header.base_fee_per_gas = base_fee.block.header.base_fee_per_gas.map(|f| f + 1);
        assert!(matches!(refuse(&base_fee), StfError::Header(HeaderError::BaseFee { .. })));

        // extraData without the Holocene EIP-1559 parameters (Ethereum's empty extraData).
        let mut extra = input.clone();
        extra.block.header.extra_data = Bytes::new();
        assert!(matches!(refuse(&extra), StfError::Op(OpBlockError::ExtraData { .. })));

        // A blob-gas field other than zero, a withdrawals root other than the empty root.
        let mut blob = input.clone();
        blob.block.header.excess_blob_gas = Some(1);
        assert!(matches!(refuse(&blob), StfError::Header(HeaderError::ExcessBlobGas { .. })));
        let mut withdrawals = input.clone();
        withdrawals.block.header.withdrawals_root = Some(Default::default());
        assert!(matches!(refuse(&withdrawals), StfError::Header(HeaderError::Withdrawals)));

        // The witness without the parent's state root node.
        let parent: alloy_consensus::Header =
            alloy_rlp::Decodable::decode(&mut &fixture.parent_header_rlp[..]).unwrap();
        let mut rootless = input.clone();
        rootless.witness.state.retain(|node| alloy_primitives::keccak256(node) != parent.state_root);
        assert!(matches!(refuse(&rootless), StfError::PreStateRootMissing(_)));

        // Under a rollup config where Holocene has not come: a fork the STF does not implement.
        let before_holocene = OpChainConfig::new(OpChainConfigParts {
            chain_id: chain.chain_id(),
            fork_times: vec![(alloy_op_hardforks::OpHardfork::Canyon, 0)],
            eip1559_elasticity: 6,
            eip1559_denominator_canyon: 250,
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(
            phat_prover_core::op::execute(&before_holocene, &input),
            Err(StfError::Header(HeaderError::Fork(_)))
        ));
    }
}

#[test]
fn a_missing_witness_node_is_refused_never_executed_on_a_default() {
    let fixture = OpFixture::read(&smallest()).unwrap();
    let chain = fixture.chain().unwrap();
    let input = fixture.input().unwrap();
    let expected = phat_prover_core::op::execute(&chain, &input).unwrap().block.block_hash;
    let (mut refused, mut unused) = (0, 0);
    for i in 0..input.witness.state.len() {
        let mut stripped = input.clone();
        stripped.witness.state.remove(i);
        match phat_prover_core::op::execute(&chain, &stripped) {
            // A node the block never reached (kona's witness holds a few): the same block.
            Ok(outcome) => {
                assert_eq!(outcome.block.block_hash, expected);
                unused += 1;
            }
            Err(StfError::MissingWitness(_) | StfError::PreStateRootMissing(_) | StfError::Trie(_)) => refused += 1,
            Err(other) => panic!("node {i} removed: refused for another reason: {other}"),
        }
    }
    assert!(refused > unused, "{refused} refused, {unused} unused");
    // A missing code the block runs: the L1Block contract's (the first deposit's target).
    let mut codeless = input.clone();
    let before = codeless.witness.codes.len();
    codeless.witness.codes.clear();
    assert!(before > 0);
    assert!(matches!(phat_prover_core::op::execute(&chain, &codeless), Err(StfError::MissingWitness(_))));
}
