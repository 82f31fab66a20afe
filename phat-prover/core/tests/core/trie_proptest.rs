//! Property tests of `PartialTrie`: roots against alloy-trie's `HashBuilder`, random edit sequences,
//! and partial tries (random nodes withheld) that must answer correctly or fail as blinded.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{B256, Bytes, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles};
use phat_prover_core::trie::{NodePool, PartialTrie, TrieError};
use proptest::{prelude::*, sample::Index};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Reference root from alloy-trie (keys must be prefix-free and at most 32 bytes).
fn hash_builder_root(model: &Model) -> B256 {
    let mut hb = HashBuilder::default();
    for (key, value) in model {
        hb.add_leaf(Nibbles::unpack(key), value);
    }
    hb.root()
}

fn build(model: &Model) -> PartialTrie {
    let mut trie = PartialTrie::empty();
    for (key, value) in model {
        trie.insert(key, value.clone()).unwrap();
    }
    trie
}

fn pool_of(trie: &PartialTrie) -> NodePool {
    trie.nodes().into_iter().collect()
}

/// Values of 1..=40 bytes: leaves both embedded in and hashed by their parents.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..=40)
}

/// Keys hashed as in the secure tries.
fn hashed_key() -> impl Strategy<Value = Vec<u8>> {
    any::<u64>().prop_map(|n| keccak256(n.to_be_bytes()).to_vec())
}

/// Short raw keys of 1..=6 bytes over a tiny alphabet, so paths share long prefixes.
fn short_key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![0x00u8, 0x01, 0x10, 0x11, 0xff]), 1..=6)
}

/// Drops every key that is a proper prefix of another (HashBuilder cannot hold branch values).
fn prefix_free(mut model: Model) -> Model {
    let keys: Vec<Vec<u8>> = model.keys().cloned().collect();
    model.retain(|k, _| !keys.iter().any(|other| other.len() > k.len() && other.starts_with(k)));
    model
}

#[derive(Debug, Clone)]
enum Op {
    Insert(Vec<u8>, Vec<u8>),
    Remove(Vec<u8>),
    Get(Vec<u8>),
}

/// Operations over a small key space (so removes and overwrites hit), with prefix keys.
fn op(keys: Vec<Vec<u8>>) -> impl Strategy<Value = Op> {
    let key = prop::sample::select(keys);
    prop_oneof![
        (key.clone(), value()).prop_map(|(k, v)| Op::Insert(k, v)),
        key.clone().prop_map(Op::Remove),
        key.prop_map(Op::Get),
    ]
}

fn key_space() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![prop::collection::vec(hashed_key(), 1..24), prop::collection::vec(short_key(), 1..24),]
}

fn apply(model: &mut Model, op: &Op) {
    match op {
        Op::Insert(k, v) => drop(model.insert(k.clone(), v.clone())),
        Op::Remove(k) => drop(model.remove(k)),
        Op::Get(_) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn root_matches_hash_builder(
        hashed in prop::collection::btree_map(hashed_key(), value(), 0..64),
        short in prop::collection::btree_map(short_key(), value(), 0..64),
        order in any::<u64>(),
    ) {
        for model in [hashed, prefix_free(short)] {
            // Insert in a scrambled order: the root must not depend on it.
            let mut entries: Vec<_> = model.iter().collect();
            entries.sort_by_key(|(k, _)| keccak256([&order.to_be_bytes()[..], k].concat()));
            let mut trie = PartialTrie::empty();
            for (k, v) in entries {
                trie.insert(k, v.clone()).unwrap();
            }
            prop_assert_eq!(trie.root(), hash_builder_root(&model));
            let mut reopened = PartialTrie::open(trie.root(), &pool_of(&trie)).unwrap();
            prop_assert_eq!(reopened.root(), trie.root());
            for (k, v) in &model {
                prop_assert_eq!(reopened.get(k).unwrap(), Some(v.as_slice()));
            }
        }
    }

    #[test]
    fn edit_sequences_match_model(
        (keys, ops) in key_space().prop_flat_map(|keys| (Just(keys.clone()), prop::collection::vec(op(keys), 1..120))),
    ) {
        let mut trie = PartialTrie::empty();
        let mut model = Model::new();
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Insert(k, v) => trie.insert(k, v.clone()).unwrap(),
                Op::Remove(k) => trie.remove(k).unwrap(),
                Op::Get(k) => prop_assert_eq!(trie.get(k).unwrap(), model.get(k).map(Vec::as_slice)),
            }
            apply(&mut model, op);
            if i % 16 == 0 {
                // Roots taken mid-way exercise the per-node hash cache.
                prop_assert_eq!(trie.root(), build(&model).root());
            }
        }
        prop_assert_eq!(trie.root(), build(&model).root());
        if keys.iter().all(|k| k.len() == 32) || model == prefix_free(model.clone()) {
            prop_assert_eq!(trie.root(), hash_builder_root(&model));
        }
        for k in &keys {
            prop_assert_eq!(trie.get(k).unwrap(), model.get(k).map(Vec::as_slice));
        }
        if model.is_empty() {
            prop_assert_eq!(trie.root(), EMPTY_ROOT_HASH);
        }
    }

    #[test]
    fn partial_trie_answers_correctly_or_blinded(
        (initial, ops) in key_space().prop_flat_map(|keys| (
            prop::collection::btree_map(prop::sample::select(keys.clone()), value(), 0..24),
            prop::collection::vec(op(keys), 1..60),
        )),
        withheld in prop::collection::vec(any::<Index>(), 0..6),
    ) {
        let full = build(&initial);
        let mut pool = pool_of(&full);
        let hashes: Vec<B256> = pool.hashes().copied().collect::<BTreeSet<_>>().into_iter().collect();
        let mut dropped = BTreeSet::new();
        if !hashes.is_empty() {
            for index in &withheld {
                let hash = hashes[index.index(hashes.len())];
                pool.remove(&hash);
                dropped.insert(hash);
            }
        }
        let mut trie = PartialTrie::open(full.root(), &pool).unwrap();
        prop_assert_eq!(trie.root(), full.root());
        let mut model = initial.clone();
        let mut blinded = 0;
        for op in &ops {
            let result = match op {
                Op::Insert(k, v) => trie.insert(k, v.clone()),
                Op::Remove(k) => trie.remove(k),
                Op::Get(k) => trie.get(k).map(|got| assert_eq!(got, model.get(k).map(Vec::as_slice))),
            };
            match result {
                Ok(()) => apply(&mut model, op),
                // A failed operation leaves the trie as it was, so the model stays in step.
                Err(TrieError::BlindedNode(hash)) => {
                    prop_assert!(dropped.contains(&hash), "blinded {} was not withheld", hash);
                    blinded += 1;
                }
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
            prop_assert_eq!(trie.root(), build(&model).root());
        }
        if dropped.is_empty() {
            prop_assert_eq!(blinded, 0);
        }
    }

    #[test]
    fn open_never_panics_on_garbage(
        root in prop::collection::vec(any::<u8>(), 0..120),
        model in prop::collection::btree_map(short_key(), value(), 1..12),
        flip in (any::<Index>(), any::<u8>()),
    ) {
        // Random bytes as the root node: whatever opens must reproduce its hash.
        let hash = keccak256(&root);
        let pool = NodePool::from_iter([Bytes::from(root)]);
        if let Ok(trie) = PartialTrie::open(hash, &pool) {
            prop_assert_eq!(trie.root(), hash);
        }
        // One byte of one node of a valid trie altered: the altered node has another hash, so the
        // trie opens with that node blinded and keeps its root; no read returns a wrong value.
        let full = build(&model);
        let nodes = full.nodes();
        let i = flip.0.index(nodes.len());
        let mut altered = nodes[i].to_vec();
        let j = flip.0.index(altered.len());
        altered[j] ^= flip.1.max(1);
        let mut pool = pool_of(&full);
        pool.remove(&keccak256(&nodes[i]));
        let root = pool.insert(altered.into());
        if let Ok(mut trie) = PartialTrie::open(full.root(), &pool) {
            prop_assert_eq!(trie.root(), full.root());
            for (k, v) in &model {
                match trie.get(k) {
                    Ok(found) => prop_assert_eq!(found, Some(v.as_slice())),
                    Err(e) => prop_assert!(matches!(e, TrieError::BlindedNode(_)), "{e}"),
                }
            }
        }
        // The altered node as the root of the intact others: whatever opens reproduces its hash.
        if let Ok(mut trie) = PartialTrie::open(root, &pool) {
            prop_assert_eq!(trie.root(), root);
            for k in model.keys() {
                let _ = trie.get(k);
            }
        }
    }
}
