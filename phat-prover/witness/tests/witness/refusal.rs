//! TEE refusals on real blocks (the stateless inputs): a block made invalid is refused with a reason
//! and named by its own hash and its parent's state; a witness or body that is not the block's
//! warrants no refusal, whatever the STF said.

use alloy_consensus::proofs::calculate_transaction_root;
use alloy_primitives::{B256, keccak256};
use phat_prover_core::{
    ChainConfig, RefusalReason, StatelessInput, StfError, execute,
    refusal::{refusal_of, refusal_reason},
};
use phat_witness::stateless::StatelessFile;

use super::stateless::fixtures;

/// The first few stateless inputs (10 M-gas blocks: each mutation re-executes one, so a handful keeps
/// the test to seconds; which ones is the directory's order, nothing chosen).
fn inputs() -> Vec<(String, ChainConfig, StatelessInput)> {
    fixtures()
        .into_iter()
        .take(4)
        .map(|path| {
            let file = StatelessFile::read(&path).expect("stateless input");
            let (chain, input) = file.input().expect("input");
            (path.display().to_string(), chain, input)
        })
        .collect()
}

/// Runs the STF on `input` and returns its error with the refusal it warrants.
fn refuse(chain: &ChainConfig, input: &StatelessInput) -> (StfError, Option<phat_prover_core::RefusedBlock>) {
    let err = execute(chain, input).expect_err("the mutated block must be refused");
    let refusal = refusal_of(input, chain.hash(), &err);
    (err, refusal)
}

#[test]
fn an_invalid_block_is_refused_by_its_own_hash() {
    type Mutation = fn(&mut StatelessInput);
    let mutations: [(&str, Mutation, RefusalReason); 4] = [
        ("state root", |i| i.block.header.state_root = B256::repeat_byte(0x5e), RefusalReason::StateRoot),
        ("receipts root", |i| i.block.header.receipts_root = B256::repeat_byte(0x7c), RefusalReason::Receipts),
        ("gas used", |i| i.block.header.gas_used -= 1, RefusalReason::GasUsed),
        (
            "base fee",
            |i| i.block.header.base_fee_per_gas = i.block.header.base_fee_per_gas.map(|f| f + 1),
            RefusalReason::Header,
        ),
    ];
    let mut refused = 0;
    for (name, chain, input) in inputs() {
        // The block as it is: proven, nothing to refuse.
        let outcome = execute(&chain, &input).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (what, mutate, reason) in &mutations {
            let mut bad = input.clone();
            mutate(&mut bad);
            let (err, refusal) = refuse(&chain, &bad);
            let r = refusal.unwrap_or_else(|| panic!("{name}, {what}: no refusal for {err}"));
            assert_eq!(r.reason, *reason, "{name}, {what}: {err}");
            assert_eq!(r.block_hash, bad.block.header.hash_slow(), "{name}, {what}");
            assert_ne!(r.block_hash, outcome.block_hash, "{name}, {what}");
            assert_eq!((r.number, r.parent_hash), (outcome.number, outcome.parent_hash), "{name}, {what}");
            assert_eq!(r.pre_state_root, outcome.pre_state_root, "{name}, {what}");
            assert_eq!(r.chain_config_hash, chain.hash(), "{name}, {what}");
            refused += 1;
        }
        // A transaction dropped from the block, its header's roots rebuilt: a block the header
        // commits to, whose execution does not give the header's results.
        if !input.block.body.transactions.is_empty() {
            let mut bad = input.clone();
            bad.block.body.transactions.pop();
            bad.block.header.transactions_root = calculate_transaction_root(&bad.block.body.transactions);
            let (err, refusal) = refuse(&chain, &bad);
            assert!(refusal.is_some(), "{name}, a transaction dropped: no refusal for {err}");
        }
    }
    assert!(refused >= 4, "no fixture was refused");
}

#[test]
fn a_bad_witness_or_body_warrants_no_refusal() {
    for (name, chain, input) in inputs() {
        // Only the root node of the parent state: every read past it is missing.
        let root = chain_root(&input);
        let mut bad = input.clone();
        bad.witness.state.retain(|n| keccak256(n) == root);
        let (err, refusal) = refuse(&chain, &bad);
        assert!(refusal.is_none(), "{name}: a missing node ({err}) must not be refused as the block's fault");

        // No root node at all.
        let mut bad = input.clone();
        bad.witness.state.retain(|n| keccak256(n) != root);
        let (err, refusal) = refuse(&chain, &bad);
        assert!(matches!(err, StfError::PreStateRootMissing(_)), "{name}: {err}");
        assert!(refusal.is_none(), "{name}: {err}");

        // A body that is not the header's (a transaction dropped, the header left as it is):
        // whoever fetched it is at fault, not the block.
        if !input.block.body.transactions.is_empty() {
            let mut bad = input.clone();
            bad.block.body.transactions.pop();
            let (err, refusal) = refuse(&chain, &bad);
            assert!(refusal.is_none(), "{name}: a foreign body ({err}) must not be refused");
            // Even for an error found before the body is looked at: a state root made wrong too
            // is not refused while the body is not the header's.
            bad.block.header.state_root = B256::repeat_byte(0x5e);
            let err = StfError::StateRoot { header: bad.block.header.state_root, computed: root };
            assert_eq!(refusal_reason(&bad.block, &err), None, "{name}");
        }

        // The parent missing from the ancestors.
        let mut bad = input.clone();
        bad.witness.headers.clear();
        let (err, refusal) = refuse(&chain, &bad);
        assert!(refusal.is_none(), "{name}: {err}");
    }
}

/// The parent's state root (the root node the witness must hold).
fn chain_root(input: &StatelessInput) -> B256 {
    let parent = input
        .witness
        .headers
        .iter()
        .map(|h| <alloy_consensus::Header as alloy_rlp::Decodable>::decode(&mut h.as_ref()).expect("header"))
        .find(|h| h.hash_slow() == input.block.header.parent_hash)
        .expect("parent");
    parent.state_root
}
