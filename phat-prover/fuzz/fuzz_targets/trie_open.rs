//! The partial trie (`phat_prover_core::trie`) over arbitrary pools and operations.
//!
//! The input (structured, `arbitrary`) is a trie built by inserts, edits to its nodes (dropped,
//! bytes flipped, cut short), extra arbitrary node bytes, the root to open at and a sequence of
//! get / insert / remove operations. The pool is the edited nodes plus the extra ones.
//!
//! - Always: opening and every operation return `Ok` or `Err`, never a panic; an opened trie's root
//!   is the hash it was opened at; an operation that fails leaves the root unchanged; a value just
//!   inserted reads back, a key just removed reads absent; the trie reopened from its `nodes()`
//!   (added to the pool) at its new root reads every key as the operations observed it.
//! - Unedited pool, opened at the built root (differential): opening succeeds and every key reads
//!   as the model (a map) says; each operation gives the same result on the built trie, the lazily
//!   opened one and the model; the roots agree at the end. With keys of one length (`fixed_len`),
//!   alloy-trie's `HashBuilder` computes the same root from the model, before and after.
#![no_main]

use std::collections::BTreeMap;

use alloy_primitives::{B256, Bytes, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles};
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use phat_prover_core::trie::{NodePool, PartialTrie, TrieError};

const MAX_KEY: usize = 40;
const MAX_VALUE: usize = 80;
const MAX_ITEMS: usize = 64;
const MAX_NODE: usize = 1024;

/// A key of at most [`MAX_KEY`] bytes.
#[derive(Debug, Clone)]
struct Key(Vec<u8>);

impl<'a> Arbitrary<'a> for Key {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.int_in_range(0..=MAX_KEY)?;
        Ok(Key(u.bytes(len)?.to_vec()))
    }
}

/// A value of at most [`MAX_VALUE`] bytes (short ones make embedded nodes; empty removes).
#[derive(Debug, Clone)]
struct Value(Vec<u8>);

impl<'a> Arbitrary<'a> for Value {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.int_in_range(0..=MAX_VALUE)?;
        Ok(Value(u.bytes(len)?.to_vec()))
    }
}

/// A key of the built trie (by index) or a new one.
#[derive(Debug, Arbitrary)]
enum KeyRef {
    Base(u8),
    New(Key),
}

#[derive(Debug, Arbitrary)]
enum Op {
    Get(KeyRef),
    Insert(KeyRef, Value),
    Remove(KeyRef),
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Drop(u8),
    Flip { node: u8, at: u16, xor: u8 },
    Truncate { node: u8, len: u16 },
    Append { node: u8, byte: u8 },
}

#[derive(Debug, Arbitrary)]
enum Root {
    Built,
    Extra(u8),
    Node(u8),
    Hash([u8; 32]),
    Empty,
}

#[derive(Debug, Arbitrary)]
struct Input {
    base: Vec<(Key, Value)>,
    /// Keys cut or zero-padded to `1 + fixed_len % 32` bytes: alloy-trie's root checks ours.
    fixed_len: Option<u8>,
    edits: Vec<Edit>,
    extra: Vec<Vec<u8>>,
    root: Root,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| run(input));

fn run(input: Input) {
    let fixed_len = input.fixed_len.map(|n| 1 + usize::from(n) % 32);
    let norm = |key: &[u8]| -> Vec<u8> {
        match fixed_len {
            Some(len) => {
                let mut k = key.to_vec();
                k.resize(len, 0);
                k
            }
            None => key.to_vec(),
        }
    };

    // The trie built by inserts, and the model.
    let mut built = PartialTrie::empty();
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let base: Vec<(Vec<u8>, Vec<u8>)> =
        input.base.iter().take(MAX_ITEMS).map(|(k, v)| (norm(&k.0), v.0.clone())).collect();
    for (key, value) in &base {
        built.insert(key, value.clone()).expect("inserts into a trie built in memory succeed");
        set(&mut model, key, value);
    }
    if fixed_len.is_some() {
        assert_eq!(built.root(), reference_root(&model), "root differs from alloy-trie's");
    }

    // The pool: the built trie's nodes, edited, and the extra nodes.
    let mut nodes = built.nodes();
    let edited = !input.edits.is_empty();
    for edit in input.edits.iter().take(MAX_ITEMS) {
        if nodes.is_empty() {
            break;
        }
        let count = nodes.len();
        let pick = |i: u8| usize::from(i) % count;
        match *edit {
            Edit::Drop(i) => {
                nodes.remove(pick(i));
            }
            Edit::Flip { node, at, xor } => {
                let node = &mut nodes[pick(node)];
                let mut bytes = node.to_vec();
                if !bytes.is_empty() {
                    let at = usize::from(at) % bytes.len();
                    bytes[at] ^= xor.max(1);
                }
                *node = bytes.into();
            }
            Edit::Truncate { node, len } => {
                let node = &mut nodes[pick(node)];
                let len = usize::from(len) % node.len().max(1);
                *node = node.slice(..len);
            }
            Edit::Append { node, byte } => {
                let node = &mut nodes[pick(node)];
                *node = [node.as_ref(), &[byte]].concat().into();
            }
        }
    }
    let extra: Vec<Bytes> =
        input.extra.iter().take(MAX_ITEMS).map(|n| Bytes::copy_from_slice(&n[..n.len().min(MAX_NODE)])).collect();
    let pool: NodePool = nodes.iter().chain(&extra).cloned().collect();

    let root = match input.root {
        Root::Built => built.root(),
        Root::Extra(i) if !extra.is_empty() => keccak256(&extra[usize::from(i) % extra.len()]),
        Root::Node(i) if !nodes.is_empty() => keccak256(&nodes[usize::from(i) % nodes.len()]),
        Root::Hash(hash) => B256::from(hash),
        _ => EMPTY_ROOT_HASH,
    };
    let differential = !edited && matches!(input.root, Root::Built);
    let opened = PartialTrie::open(root, &pool);
    if differential {
        assert!(opened.is_ok(), "the built trie does not reopen: {opened:?}");
    }
    let Ok(mut trie) = opened else { return };
    assert_eq!(trie.root(), root, "an opened trie's root is not the hash it was opened at");

    let key_of = |key: &KeyRef| -> Vec<u8> {
        match key {
            KeyRef::Base(i) if !base.is_empty() => base[usize::from(*i) % base.len()].0.clone(),
            KeyRef::Base(_) => norm(&[]),
            KeyRef::New(key) => norm(&key.0),
        }
    };

    if differential {
        for (key, value) in &model {
            assert_eq!(trie.get(key), Ok(Some(value.as_slice())), "reopened trie misreads {key:02x?}");
        }
    }

    // What the operations observed: key → value (None: absent).
    let mut observed: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    for op in input.ops.iter().take(MAX_ITEMS) {
        let before = trie.root();
        let (key, result) = match op {
            Op::Get(key) => {
                let key = key_of(key);
                let got = trie.get(&key).map(|v| v.map(<[u8]>::to_vec));
                if differential {
                    assert_eq!(got, Ok(model.get(&key).cloned()), "get {key:02x?}");
                    assert_eq!(built.get(&key).map(|v| v.map(<[u8]>::to_vec)), Ok(model.get(&key).cloned()));
                }
                if let Ok(value) = got {
                    observed.insert(key.clone(), value);
                }
                (key, Ok(()))
            }
            Op::Insert(key, value) => {
                let key = key_of(key);
                let result = trie.insert(&key, value.0.clone());
                if differential {
                    assert_eq!(result, Ok(()), "insert {key:02x?}");
                    assert_eq!(built.insert(&key, value.0.clone()), Ok(()));
                    set(&mut model, &key, &value.0);
                }
                if result.is_ok() {
                    let expected = (!value.0.is_empty()).then(|| value.0.clone());
                    assert_eq!(trie.get(&key).map(|v| v.map(<[u8]>::to_vec)), Ok(expected.clone()));
                    observed.insert(key.clone(), expected);
                }
                (key, result)
            }
            Op::Remove(key) => {
                let key = key_of(key);
                let result = trie.remove(&key);
                if differential {
                    assert_eq!(result, Ok(()), "remove {key:02x?}");
                    assert_eq!(built.remove(&key), Ok(()));
                    model.remove(&key);
                }
                if result.is_ok() {
                    assert_eq!(trie.get(&key), Ok(None), "a removed key reads present");
                    observed.insert(key.clone(), None);
                }
                (key, result)
            }
        };
        if let Err(e) = result {
            assert!(matches!(e, TrieError::BlindedNode(_) | TrieError::InvalidNode { .. }));
            assert_eq!(trie.root(), before, "a failed operation on {key:02x?} changed the root");
        }
        if differential {
            assert_eq!(trie.root(), built.root(), "lazily opened and built tries differ");
        }
    }
    if differential && fixed_len.is_some() {
        assert_eq!(trie.root(), reference_root(&model), "root differs from alloy-trie's after the operations");
    }

    // Reopened from its own nodes (the old pool beside them), the trie reads what was observed.
    let root = trie.root();
    let mut pool = pool;
    pool.extend(trie.nodes());
    let mut reopened = PartialTrie::open(root, &pool).expect("a trie reopens from its own nodes");
    assert_eq!(reopened.root(), root);
    for (key, value) in &observed {
        assert_eq!(
            reopened.get(key).map(|v| v.map(<[u8]>::to_vec)),
            Ok(value.clone()),
            "reopened trie misreads {key:02x?}"
        );
    }
}

/// Sets `key` in the model as the trie does: an empty value removes it.
fn set(model: &mut BTreeMap<Vec<u8>, Vec<u8>>, key: &[u8], value: &[u8]) {
    if value.is_empty() {
        model.remove(key);
    } else {
        model.insert(key.to_vec(), value.to_vec());
    }
}

/// alloy-trie's root of `model` (keys all of one length, at most 32 bytes).
fn reference_root(model: &BTreeMap<Vec<u8>, Vec<u8>>) -> B256 {
    if model.is_empty() {
        return EMPTY_ROOT_HASH;
    }
    let mut builder = HashBuilder::default();
    for (key, value) in model {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}
