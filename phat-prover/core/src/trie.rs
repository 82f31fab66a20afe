//! A partial Merkle-Patricia trie: opened from the nodes a witness reveals, updated in place, its
//! root recomputed. Nodes the witness does not reveal stay *blinded* (only their hash is known);
//! any operation that needs to look inside one fails with [`TrieError::BlindedNode`] — a missing
//! node is never read as empty.
//!
//! Keys are raw bytes of any length (callers hash them for the secure state and storage tries), so
//! a key may be a prefix of another and branches may carry values. Node encodings follow the Yellow
//! Paper (appendix D): hex-prefix paths, children embedded when their RLP is shorter than 32 bytes,
//! referenced by keccak256 otherwise; the root is always hashed. alloy-trie's node codecs refuse
//! branch values and keys over 32 bytes, so nodes are coded here; its [`RlpNode`] is reused for
//! child references.
//!
//! Nodes are resolved lazily: opening a trie decodes its root only, and each operation decodes the
//! nodes on its key's path the first time it passes them (each at most once). Work and memory are
//! therefore bounded by what the block touches, whatever the witness holds — a witness whose nodes
//! reference one another from many slots (a DAG that eager expansion would unfold exponentially)
//! costs no more than its paths.
//!
//! Soundness rests on a node being accepted only if it hashes to the reference that led to it
//! (the pool keys every node by its own hash) *and* re-encodes to exactly the same bytes: the
//! trie is then the committed one, and its [`PartialTrie::root`] is the root it was opened at.
//! Nodes must also be well formed (extensions lead to branches, branches hold two entries or more,
//! leaves hold non-empty values); [`PartialTrie::insert`] and [`PartialTrie::remove`] keep them so.

use alloc::{boxed::Box, sync::Arc, vec, vec::Vec};
use core::{cell::OnceCell, mem};

use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use alloy_rlp::{EMPTY_STRING_CODE, Encodable, Header};
use alloy_trie::{EMPTY_ROOT_HASH, nodes::RlpNode};

/// Trie nodes by their keccak256 hash. The hash is computed here, on insertion, so an entry's key
/// always is its node's hash: opening a trie hashes no node a second time. Cloning shares the
/// nodes (every trie opened over a pool holds a handle to it).
#[derive(Debug, Clone, Default)]
pub struct NodePool(Arc<B256Map<Bytes>>);

impl NodePool {
    /// Adds `node`, returning its hash.
    pub fn insert(&mut self, node: Bytes) -> B256 {
        let hash = keccak256(&node);
        Arc::make_mut(&mut self.0).insert(hash, node);
        hash
    }

    /// Removes the node with hash `hash`.
    pub fn remove(&mut self, hash: &B256) -> Option<Bytes> {
        Arc::make_mut(&mut self.0).remove(hash)
    }

    /// The node with hash `hash`.
    pub fn get(&self, hash: &B256) -> Option<&Bytes> {
        self.0.get(hash)
    }

    /// Whether the node with hash `hash` is here.
    pub fn contains(&self, hash: &B256) -> bool {
        self.0.contains_key(hash)
    }

    /// The hashes of all nodes, in no particular order.
    pub fn hashes(&self) -> impl Iterator<Item = &B256> {
        self.0.keys()
    }

    /// How many distinct nodes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Bytes> for NodePool {
    fn from_iter<I: IntoIterator<Item = Bytes>>(nodes: I) -> Self {
        let mut pool = Self::default();
        pool.extend(nodes);
        pool
    }
}

impl Extend<Bytes> for NodePool {
    fn extend<I: IntoIterator<Item = Bytes>>(&mut self, nodes: I) {
        let map = Arc::make_mut(&mut self.0);
        for node in nodes {
            map.insert(keccak256(&node), node);
        }
    }
}

/// Deepest nesting of embedded nodes inside one node (an embedded node is under 32 bytes and a
/// pool node at most a few hundred, so real nodes nest a few levels at most).
const MAX_EMBEDDED_DEPTH: usize = 64;

/// Why a trie operation failed. After an error the trie is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrieError {
    /// The operation needs a node the witness does not contain.
    #[error("trie node {0} is not in the witness")]
    BlindedNode(B256),
    /// A node in the pool is not a well-formed, canonically encoded trie node. `node` is the hash
    /// of the pool entry (that of its parent entry for embedded nodes).
    #[error("invalid trie node {node}: {reason}")]
    InvalidNode {
        /// Hash under which the offending bytes were found.
        node: B256,
        /// What is wrong with them.
        reason: &'static str,
    },
}

/// A node; `cache` holds its reference as a parent encodes it, reset when the node changes.
#[derive(Debug, Clone, Default)]
enum Node {
    #[default]
    Empty,
    /// Known by its hash only: resolved from the pool when an operation passes it, an error
    /// ([`TrieError::BlindedNode`]) if the pool lacks it.
    Blinded(B256),
    Leaf {
        path: Vec<u8>,
        value: Vec<u8>,
        cache: OnceCell<RlpNode>,
    },
    Extension {
        path: Vec<u8>,
        child: Box<Node>,
        cache: OnceCell<RlpNode>,
    },
    Branch {
        children: Box<[Node; 16]>,
        value: Option<Vec<u8>>,
        cache: OnceCell<RlpNode>,
    },
}

/// A Merkle-Patricia trie of which only some nodes may be known.
///
/// Hashes of unchanged subtrees are cached (so it is `Send` but not `Sync`): after a few edits,
/// [`root`](Self::root) rehashes only the edited paths.
#[derive(Debug, Clone, Default)]
pub struct PartialTrie {
    root: Node,
    /// Where blinded nodes are resolved from.
    pool: NodePool,
}

impl PartialTrie {
    /// The empty trie.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Opens the trie with root `root` over the nodes of `pool` (shared, not copied), decoding the
    /// root node only; the others are decoded as operations reach them. [`EMPTY_ROOT_HASH`] gives
    /// the empty trie; any other root absent from `pool` gives a trie blinded entirely (every
    /// access fails, `root()` is `root`). Fails if the root's pool entry is malformed (see
    /// [`TrieError::InvalidNode`]); a malformed node deeper down fails the operation that reaches
    /// it.
    pub fn open(root: B256, pool: &NodePool) -> Result<Self, TrieError> {
        if root == EMPTY_ROOT_HASH {
            return Ok(Self::empty());
        }
        let mut trie = Self { root: Node::Blinded(root), pool: pool.clone() };
        resolve(&mut trie.root, &trie.pool)?;
        Ok(trie)
    }

    /// The value at `key`, `None` if the trie proves it absent.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<&[u8]>, TrieError> {
        let path = nibbles(key);
        let (mut path, mut node) = (path.as_slice(), &mut self.root);
        loop {
            resolve(node, &self.pool)?;
            match node {
                Node::Empty => return Ok(None),
                Node::Blinded(hash) => return Err(TrieError::BlindedNode(*hash)),
                Node::Leaf { path: p, value, .. } => {
                    return Ok((p.as_slice() == path).then_some(value.as_slice()));
                }
                Node::Extension { path: p, child, .. } => match path.strip_prefix(p.as_slice()) {
                    Some(rest) => {
                        resolve_extension_child(child, &self.pool)?;
                        (path, node) = (rest, child);
                    }
                    None => return Ok(None),
                },
                Node::Branch { children, value, .. } => match path.split_first() {
                    None => return Ok(value.as_deref()),
                    Some((&i, rest)) => (path, node) = (rest, &mut children[usize::from(i)]),
                },
            }
        }
    }

    /// Sets `key` to `value`; an empty value removes the key.
    pub fn insert(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), TrieError> {
        if value.is_empty() {
            return self.remove(key);
        }
        insert(&mut self.root, &nibbles(key), value, &self.pool)
    }

    /// Removes `key`; no change if it is absent. A branch left with a single child and no value
    /// merges with that child, which must then be resolved (else [`TrieError::BlindedNode`]).
    pub fn remove(&mut self, key: &[u8]) -> Result<(), TrieError> {
        remove(&mut self.root, &nibbles(key), &self.pool).map(drop)
    }

    /// The root hash: keccak256 of the root node's RLP ([`EMPTY_ROOT_HASH`] for the empty trie).
    pub fn root(&self) -> B256 {
        hash_of(&self.root)
    }

    /// The RLP of the root node and of every node referenced by hash (RLP of 32 bytes or more):
    /// what a witness of the trie holds. Nodes not resolved (blinded, or not yet reached by an
    /// operation) are not included.
    pub fn nodes(&self) -> Vec<Bytes> {
        let mut out = Vec::new();
        if !matches!(self.root, Node::Empty | Node::Blinded(_)) {
            out.push(encode(&self.root).into());
            collect(&self.root, &mut out);
        }
        out
    }
}

impl Node {
    fn cache(&self) -> Option<&OnceCell<RlpNode>> {
        match self {
            Self::Empty | Self::Blinded(_) => None,
            Self::Leaf { cache, .. } | Self::Extension { cache, .. } | Self::Branch { cache, .. } => Some(cache),
        }
    }
}

fn leaf(path: Vec<u8>, value: Vec<u8>) -> Node {
    let cache = OnceCell::new();
    Node::Leaf { path, value, cache }
}

fn branch(children: Box<[Node; 16]>, value: Option<Vec<u8>>) -> Node {
    let cache = OnceCell::new();
    Node::Branch { children, value, cache }
}

/// An extension over `child`, or `child` itself for an empty path.
fn extension(path: Vec<u8>, child: Node) -> Node {
    if path.is_empty() { child } else { Node::Extension { path, child: Box::new(child), cache: OnceCell::new() } }
}

/// `node` moved `prefix` nibbles down: a leaf or extension absorbs the prefix, others get an
/// extension above them.
fn prepend(mut prefix: Vec<u8>, node: Node) -> Node {
    match node {
        Node::Leaf { path, value, .. } => leaf([prefix, path].concat(), value),
        Node::Extension { path, child, .. } => {
            prefix.extend(path);
            extension(prefix, *child)
        }
        Node::Empty => Node::Empty,
        other => extension(prefix, other),
    }
}

fn nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

fn insert(node: &mut Node, path: &[u8], value: Vec<u8>, pool: &NodePool) -> Result<(), TrieError> {
    resolve(node, pool)?;
    match node {
        Node::Empty => *node = leaf(path.to_vec(), value),
        Node::Blinded(hash) => return Err(TrieError::BlindedNode(*hash)),
        Node::Branch { children, value: v, cache } => {
            match path.split_first() {
                None => *v = Some(value),
                Some((&i, rest)) => insert(&mut children[usize::from(i)], rest, value, pool)?,
            }
            cache.take();
        }
        Node::Leaf { path: p, value: v, cache } if p.as_slice() == path => {
            *v = value;
            cache.take();
        }
        Node::Extension { path: p, child, cache } if path.starts_with(p) => {
            resolve_extension_child(child, pool)?;
            insert(child, &path[p.len()..], value, pool)?;
            cache.take();
        }
        // `path` leaves this leaf's or extension's path: split there into a branch holding the old
        // node's remainder and the new key (either may end at the branch, as its value).
        Node::Leaf { path: p, .. } | Node::Extension { path: p, .. } => {
            let shared = p.iter().zip(path).take_while(|(a, b)| a == b).count();
            let mut children: Box<[Node; 16]> = Box::default();
            let mut branch_value = None;
            match mem::take(node) {
                Node::Leaf { path: p, value: v, .. } if p.len() == shared => branch_value = Some(v),
                Node::Leaf { path: p, value: v, .. } => {
                    children[usize::from(p[shared])] = leaf(p[shared + 1..].to_vec(), v);
                }
                // `shared < p.len()`: the arm above took paths through the extension.
                Node::Extension { path: p, child, .. } => {
                    children[usize::from(p[shared])] = extension(p[shared + 1..].to_vec(), *child);
                }
                _ => {} // Matched as a leaf or an extension.
            }
            let mut split = branch(children, branch_value);
            // Lands in an empty slot or the branch value: cannot fail.
            insert(&mut split, &path[shared..], value, pool)?;
            *node = extension(path[..shared].to_vec(), split);
        }
    }
    Ok(())
}

/// Removes `path` below `node`, returning the removed value (`None`: absent, nothing changed). On
/// error `node` is left as it was.
fn remove(node: &mut Node, path: &[u8], pool: &NodePool) -> Result<Option<Vec<u8>>, TrieError> {
    resolve(node, pool)?;
    match node {
        Node::Empty => Ok(None),
        Node::Blinded(hash) => Err(TrieError::BlindedNode(*hash)),
        Node::Leaf { path: p, value, .. } => {
            if p.as_slice() != path {
                return Ok(None);
            }
            let value = mem::take(value);
            *node = Node::Empty;
            Ok(Some(value))
        }
        Node::Extension { path: p, child, .. } => {
            let Some(rest) = path.strip_prefix(p.as_slice()) else {
                return Ok(None);
            };
            resolve_extension_child(child, pool)?;
            let Some(removed) = remove(child, rest, pool)? else {
                return Ok(None);
            };
            // The child branch may have collapsed into a leaf or an extension: merge with it.
            *node = prepend(mem::take(p), mem::take(&mut **child));
            Ok(Some(removed))
        }
        Node::Branch { children, value, cache } => {
            let removed = match path.split_first() {
                None => value.take(),
                Some((&i, rest)) => remove(&mut children[usize::from(i)], rest, pool)?,
            };
            let Some(removed) = removed else {
                return Ok(None);
            };
            cache.take();
            let mut occupied = (0..16).filter(|&i| !matches!(children[i], Node::Empty));
            match (occupied.next(), occupied.next(), value.take()) {
                (Some(_), Some(_), v) | (Some(_), None, v @ Some(_)) => *value = v,
                (None, _, Some(v)) => *node = leaf(Vec::new(), v),
                (None, _, None) => *node = Node::Empty,
                (Some(i), None, None) => {
                    // The merge needs the sibling's path: resolve it.
                    let failed = match resolve(&mut children[i], pool) {
                        Err(e) => Some(e),
                        Ok(()) => match children[i] {
                            Node::Blinded(hash) => Some(TrieError::BlindedNode(hash)),
                            _ => None,
                        },
                    };
                    if let Some(e) = failed {
                        // Undo. The removed entry vanished, so it was the value or a leaf child (a
                        // branch keeps an entry, an extension's child is a branch).
                        match path.split_first() {
                            None => *value = Some(removed),
                            Some((&j, rest)) => children[usize::from(j)] = leaf(rest.to_vec(), removed),
                        }
                        return Err(e);
                    }
                    *node = prepend(vec![i as u8], mem::take(&mut children[i]));
                }
            }
            Ok(Some(removed))
        }
    }
}

/// How a parent refers to `node`: its RLP if shorter than 32 bytes, else the RLP of its hash.
fn reference(node: &Node) -> RlpNode {
    match (node, node.cache()) {
        (Node::Blinded(hash), _) => RlpNode::word_rlp(hash),
        (_, Some(cache)) => cache.get_or_init(|| RlpNode::from_rlp(&encode(node))).clone(),
        (_, None) => RlpNode::from_rlp(&[EMPTY_STRING_CODE]),
    }
}

/// keccak256 of the node's RLP, whatever its length.
fn hash_of(node: &Node) -> B256 {
    match node {
        Node::Blinded(hash) => *hash,
        _ => {
            let reference = reference(node);
            reference.as_hash().unwrap_or_else(|| keccak256(&reference))
        }
    }
}

/// The node's RLP (`0x80` for the empty trie).
fn encode(node: &Node) -> Vec<u8> {
    let mut payload = Vec::new();
    match node {
        Node::Empty | Node::Blinded(_) => return reference(node).to_vec(),
        Node::Leaf { path, value, .. } => {
            hex_prefix(path, true).as_slice().encode(&mut payload);
            value.as_slice().encode(&mut payload);
        }
        Node::Extension { path, child, .. } => {
            hex_prefix(path, false).as_slice().encode(&mut payload);
            payload.extend_from_slice(&reference(child));
        }
        Node::Branch { children, value, .. } => {
            children.iter().for_each(|child| payload.extend_from_slice(&reference(child)));
            value.as_deref().unwrap_or_default().encode(&mut payload);
        }
    }
    let mut out = Vec::with_capacity(payload.len() + 3);
    Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

/// Hex-prefix encoding of a nibble path (Yellow Paper, appendix C).
fn hex_prefix(path: &[u8], is_leaf: bool) -> Vec<u8> {
    let flag = if is_leaf { 0x20 } else { 0 };
    let (first, rest) = match path.split_first() {
        Some((&n, rest)) if path.len() % 2 == 1 => (flag | 0x10 | n, rest),
        _ => (flag, path),
    };
    let mut out = vec![first];
    out.extend(rest.chunks_exact(2).map(|p| (p[0] << 4) | p[1]));
    out
}

/// Appends the RLP of every hash-referenced node below `node`.
fn collect(node: &Node, out: &mut Vec<Bytes>) {
    let mut visit = |child: &Node| {
        if !matches!(child, Node::Empty | Node::Blinded(_)) {
            if reference(child).is_hash() {
                out.push(encode(child).into());
            }
            collect(child, out);
        }
    };
    match node {
        Node::Extension { child, .. } => visit(child),
        Node::Branch { children, .. } => children.iter().for_each(visit),
        _ => {}
    }
}

/// Replaces a blinded `node` by its decoded pool entry, if the pool has it (its hash-referenced
/// children stay blinded until reached). The entry hashes to the reference (the pool guarantees
/// it) and must re-encode to exactly its bytes: then the node is the committed one, and its cached
/// reference is that hash.
fn resolve(node: &mut Node, pool: &NodePool) -> Result<(), TrieError> {
    let Node::Blinded(hash) = *node else { return Ok(()) };
    let Some(rlp) = pool.get(&hash) else { return Ok(()) };
    let decoded = decode(rlp, 0, hash)?;
    if encode(&decoded) != rlp.as_ref() {
        return Err(TrieError::InvalidNode { node: hash, reason: "not canonically encoded" });
    }
    if let Some(cache) = decoded.cache() {
        cache.get_or_init(|| if rlp.len() < 32 { RlpNode::from_rlp(rlp) } else { RlpNode::word_rlp(&hash) });
    }
    *node = decoded;
    Ok(())
}

/// [`resolve`] for the child of an extension, which must be a branch.
fn resolve_extension_child(child: &mut Node, pool: &NodePool) -> Result<(), TrieError> {
    let hash = match child {
        Node::Blinded(hash) => *hash,
        _ => return Ok(()),
    };
    resolve(child, pool)?;
    match child {
        Node::Branch { .. } | Node::Blinded(_) => Ok(()),
        _ => Err(TrieError::InvalidNode { node: hash, reason: "extension child is not a branch" }),
    }
}

/// Decodes one node (not checked for canonical encoding: [`resolve`] does that); hash-referenced
/// children stay blinded. `at` is the pool entry being decoded, for errors; `depth` counts
/// embedded nodes.
fn decode(rlp: &[u8], depth: usize, at: B256) -> Result<Node, TrieError> {
    let invalid = |reason| TrieError::InvalidNode { node: at, reason };
    if depth > MAX_EMBEDDED_DEPTH {
        return Err(invalid("nested too deep"));
    }
    let items = list_items(rlp).ok_or(invalid("not an RLP list"))?;
    let child = |item: &[u8]| -> Result<Node, TrieError> {
        if item.first().is_some_and(|&b| b >= alloy_rlp::EMPTY_LIST_CODE) {
            return decode(item, depth + 1, at);
        }
        match string(item).ok_or(invalid("expected an RLP string"))? {
            [] => Ok(Node::Empty),
            hash if hash.len() == 32 => Ok(Node::Blinded(B256::from_slice(hash))),
            _ => Err(invalid("child is neither a hash nor a node")),
        }
    };
    match *items.as_slice() {
        [encoded_path, item] => {
            let encoded_path = string(encoded_path).ok_or(invalid("expected an RLP string"))?;
            let (&first, rest) = encoded_path.split_first().ok_or(invalid("empty path"))?;
            if first >> 4 > 3 || (first & 0x10 == 0 && first & 0x0f != 0) {
                return Err(invalid("bad hex-prefix flags"));
            }
            let mut path = if first & 0x10 != 0 { vec![first & 0x0f] } else { Vec::new() };
            path.extend(nibbles(rest));
            if first & 0x20 != 0 {
                let value = string(item).ok_or(invalid("expected an RLP string"))?;
                if value.is_empty() {
                    return Err(invalid("leaf with an empty value"));
                }
                return Ok(leaf(path, value.to_vec()));
            }
            if path.is_empty() {
                return Err(invalid("extension with an empty path"));
            }
            match child(item)? {
                node @ (Node::Branch { .. } | Node::Blinded(_)) => Ok(extension(path, node)),
                _ => Err(invalid("extension child is not a branch")),
            }
        }
        [ref refs @ .., value] if refs.len() == 16 => {
            let mut children: Box<[Node; 16]> = Box::default();
            for (slot, item) in children.iter_mut().zip(refs) {
                *slot = child(item)?;
            }
            let value = string(value).ok_or(invalid("expected an RLP string"))?;
            let value = (!value.is_empty()).then(|| value.to_vec());
            let entries = children.iter().filter(|c| !matches!(c, Node::Empty)).count();
            if entries + usize::from(value.is_some()) < 2 {
                return Err(invalid("branch with fewer than two entries"));
            }
            Ok(branch(children, value))
        }
        _ => Err(invalid("not a 2- or 17-item list")),
    }
}

/// The items of an RLP list spanning all of `rlp`, each with its header.
fn list_items(rlp: &[u8]) -> Option<Vec<&[u8]>> {
    let mut payload = rlp;
    let header = Header::decode(&mut payload).ok()?;
    if !header.list || header.payload_length != payload.len() {
        return None;
    }
    let mut items = Vec::with_capacity(17);
    while !payload.is_empty() {
        let mut rest = payload;
        let header = Header::decode(&mut rest).ok()?;
        let len = (payload.len() - rest.len()).checked_add(header.payload_length)?;
        let (item, tail) = payload.split_at_checked(len)?;
        items.push(item);
        payload = tail;
    }
    Some(items)
}

/// The payload of an RLP string item.
fn string(item: &[u8]) -> Option<&[u8]> {
    let mut payload = item;
    let header = Header::decode(&mut payload).ok()?;
    (!header.list && header.payload_length == payload.len()).then_some(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values long enough that every leaf is referenced by hash.
    fn value(tag: u8) -> Vec<u8> {
        vec![tag; 40]
    }

    fn trie(keys: &[&[u8]]) -> PartialTrie {
        let mut trie = PartialTrie::empty();
        for (i, key) in keys.iter().enumerate() {
            trie.insert(key, value(i as u8 + 1)).unwrap();
        }
        trie
    }

    fn pool(trie: &PartialTrie) -> NodePool {
        trie.nodes().into_iter().collect()
    }

    /// Reopens `trie` without the node `drop`.
    fn reopen_without(trie: &PartialTrie, drop: B256) -> PartialTrie {
        let mut pool = pool(trie);
        assert!(pool.remove(&drop).is_some(), "{drop} is not a node of the trie");
        PartialTrie::open(trie.root(), &pool).unwrap()
    }

    /// Hash of the root branch's child at `nibble`.
    fn child_hash(trie: &PartialTrie, nibble: usize) -> B256 {
        let Node::Branch { children, .. } = &trie.root else { panic!("root is not a branch") };
        hash_of(&children[nibble])
    }

    fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
        let payload = items.concat();
        let mut out = Vec::new();
        Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend(payload);
        out
    }

    fn rlp_str(bytes: &[u8]) -> Vec<u8> {
        alloy_rlp::encode(bytes)
    }

    #[test]
    fn empty_trie() {
        assert_eq!(PartialTrie::empty().root(), EMPTY_ROOT_HASH);
        assert_eq!(keccak256([EMPTY_STRING_CODE]), EMPTY_ROOT_HASH);
        let mut trie = PartialTrie::open(EMPTY_ROOT_HASH, &NodePool::default()).unwrap();
        assert_eq!(trie.get(b"a"), Ok(None));
        assert!(trie.nodes().is_empty());
        trie.insert(b"a", b"1".to_vec()).unwrap();
        assert_ne!(trie.root(), EMPTY_ROOT_HASH);
        trie.insert(b"a", Vec::new()).unwrap();
        assert_eq!(trie.root(), EMPTY_ROOT_HASH);
    }

    #[test]
    fn removal_collapses_branch_into_sibling() {
        // Sibling at nibble 2 is a leaf, an extension, a branch; a branch value is the last case.
        let cases: [&[&[u8]]; 4] =
            [&[&[0x20]], &[&[0x20, 0x00], &[0x20, 0x11]], &[&[0x20], &[0x21]], &[&[0x20], &[0x20, 0x01]]];
        for rest in cases {
            let mut full = PartialTrie::empty();
            full.insert(&[0x10], value(9)).unwrap();
            let mut expected = PartialTrie::empty();
            for (i, key) in rest.iter().enumerate() {
                full.insert(key, value(i as u8)).unwrap();
                expected.insert(key, value(i as u8)).unwrap();
            }
            let before = full.root();
            full.remove(&[0x10]).unwrap();
            assert_eq!(full.root(), expected.root(), "{rest:?}");
            assert!(!matches!(full.root, Node::Branch { .. }), "{rest:?}: branch did not collapse");
            full.remove(&[0x10]).unwrap(); // absent: no change
            assert_eq!(full.root(), expected.root());
            full.insert(&[0x10], value(9)).unwrap();
            assert_eq!(full.root(), before);
        }
        // A branch left with only its value becomes a leaf.
        let mut t = trie(&[b"do", b"dog"]);
        t.remove(b"dog").unwrap();
        assert_eq!(t.root(), trie(&[b"do"]).root());
        let mut t = trie(&[b"do", b"dog"]);
        t.remove(b"do").unwrap();
        let mut expected = PartialTrie::empty();
        expected.insert(b"dog", value(2)).unwrap();
        assert_eq!(t.root(), expected.root());
    }

    #[test]
    fn removal_next_to_blinded_sibling_fails_and_changes_nothing() {
        let full = trie(&[&[0x10], &[0x20, 0x00], &[0x20, 0x11]]);
        let (leaf, ext) = (child_hash(&full, 1), child_hash(&full, 2));
        let mut expected = trie(&[&[0x10], &[0x20, 0x00], &[0x20, 0x11]]);
        expected.remove(&[0x10]).unwrap();
        for hash in full.nodes().iter().map(keccak256).filter(|&h| h != full.root()) {
            let mut t = reopen_without(&full, hash);
            let result = t.remove(&[0x10]);
            if hash == ext || hash == leaf {
                // The sibling extension is needed to merge; the removed leaf to be found.
                assert_eq!(result, Err(TrieError::BlindedNode(hash)));
                assert_eq!(t.root(), full.root());
                assert_eq!(t.get(&[0x10]).unwrap_or_default(), (hash == ext).then_some(&value(1)[..]));
            } else {
                // Merging with the extension needs its path, not the branch below it.
                assert_eq!(result, Ok(()));
                assert_eq!(t.root(), expected.root());
            }
        }
        // A blinded sibling leaf.
        let full = trie(&[&[0x10], &[0x20]]);
        let sibling = child_hash(&full, 2);
        let mut t = reopen_without(&full, sibling);
        assert_eq!(t.remove(&[0x10]), Err(TrieError::BlindedNode(sibling)));
        assert_eq!(t.root(), full.root());
        assert_eq!(t.get(&[0x10]), Ok(Some(&value(1)[..])));

        // Removing a branch's value next to a blinded only child.
        let full = trie(&[&[0x10], &[0x10, 0x20]]);
        let Node::Extension { child, .. } = &full.root else { panic!("root is not an extension") };
        let Node::Branch { children, .. } = &**child else { panic!("no branch below the root") };
        let sibling = hash_of(&children[2]);
        let mut t = reopen_without(&full, sibling);
        assert_eq!(t.remove(&[0x10]), Err(TrieError::BlindedNode(sibling)));
        assert_eq!(t.root(), full.root());
        assert_eq!(t.get(&[0x10]), Ok(Some(&value(1)[..])));
    }

    #[test]
    fn access_through_blinded_node_fails() {
        let full = trie(&[&[0x10], &[0x20], &[0x21]]);
        let blinded = child_hash(&full, 2);
        let mut t = reopen_without(&full, blinded);
        assert_eq!(t.get(&[0x20]), Err(TrieError::BlindedNode(blinded)));
        assert_eq!(t.get(&[0x10]), Ok(Some(&value(1)[..])));
        assert_eq!(t.get(&[0x30]), Ok(None));
        assert_eq!(t.insert(&[0x22], value(7)), Err(TrieError::BlindedNode(blinded)));
        assert_eq!(t.remove(&[0x21]), Err(TrieError::BlindedNode(blinded)));
        assert_eq!(t.root(), full.root());
        t.insert(&[0x30], value(7)).unwrap();
        let mut expected = trie(&[&[0x10], &[0x20], &[0x21]]);
        expected.insert(&[0x30], value(7)).unwrap();
        assert_eq!(t.root(), expected.root());

        // A root absent from the pool blinds everything.
        let root = full.root();
        let mut t = PartialTrie::open(root, &NodePool::default()).unwrap();
        assert_eq!(t.get(&[0x10]), Err(TrieError::BlindedNode(root)));
        assert_eq!(t.insert(&[0x10], value(1)), Err(TrieError::BlindedNode(root)));
        assert_eq!(t.remove(&[0x10]), Err(TrieError::BlindedNode(root)));
        assert_eq!(t.root(), root);
        assert!(t.nodes().is_empty());
    }

    #[test]
    fn malformed_nodes_are_rejected() {
        let good = trie(&[&[0x10], &[0x20]]);
        let root_rlp = encode(&good.root);
        let leaf_rlp = |path: &[u8], v: &[u8]| rlp_list(&[rlp_str(path), rlp_str(v)]);
        let one_child = {
            let mut items = vec![vec![EMPTY_STRING_CODE]; 17];
            items[3] = rlp_str(child_hash(&good, 1).as_slice());
            rlp_list(&items)
        };
        let big_inline = {
            let mut items = vec![vec![EMPTY_STRING_CODE]; 17];
            items[1] = leaf_rlp(&[0x20], &value(1));
            items[2] = leaf_rlp(&[0x20], &value(2));
            rlp_list(&items)
        };
        let bad: Vec<Vec<u8>> = vec![
            vec![],
            vec![0xc0],
            vec![0xc1, 0x80],
            vec![0xc3, 0x80, 0x80, 0x80],
            root_rlp[..root_rlp.len() - 1].to_vec(),
            [&root_rlp[..], &[0x00]].concat(),
            leaf_rlp(&[0x40], b"v"),
            leaf_rlp(&[0x21], b"v"),
            leaf_rlp(&[0x20], b""),
            leaf_rlp(&[], b"v"),
            rlp_list(&[vec![0x81, 0x20], rlp_str(b"v")]),
            rlp_list(&[rlp_str(&[0x00]), rlp_str(child_hash(&good, 1).as_slice())]),
            rlp_list(&[rlp_str(&[0x11]), rlp_str(&[1, 2, 3, 4, 5])]),
            rlp_list(&[rlp_str(&[0x11]), leaf_rlp(&[0x20], b"v")]),
            one_child,
            big_inline,
        ];
        for bytes in bad {
            let hash = keccak256(&bytes);
            let pool = NodePool::from_iter([Bytes::from(bytes.clone())]);
            let result = PartialTrie::open(hash, &pool);
            assert!(matches!(result, Err(TrieError::InvalidNode { node, .. }) if node == hash), "{bytes:02x?}");
        }
        // A pool keys every node by its own hash: no entry can stand under another node's hash.
        let mut pool = pool(&good);
        let leaf = Bytes::from(leaf_rlp(&[0x20], b"v"));
        assert_eq!(pool.insert(leaf.clone()), keccak256(&leaf));
        assert_eq!(pool.get(&keccak256(&leaf)), Some(&leaf));
    }

    #[test]
    fn opened_trie_keeps_root_and_values() {
        let keys: [&[u8]; 6] = [b"do", b"dog", b"doge", b"horse", b"a", b"b"];
        let full = trie(&keys);
        let mut t = PartialTrie::open(full.root(), &pool(&full)).unwrap();
        // Opening decodes the root only.
        assert_eq!(t.nodes(), vec![Bytes::from(encode(&full.root))]);
        assert_eq!(t.root(), full.root());
        assert_eq!(t.get(b"dog"), Ok(Some(&value(2)[..])));
        assert_eq!(t.get(b"d"), Ok(None));
        assert_eq!(t.get(b"dogs"), Ok(None));
        for key in keys {
            assert!(t.get(key).unwrap().is_some());
        }
        let mut nodes = t.nodes();
        let mut expected = full.nodes();
        nodes.sort();
        expected.sort();
        assert_eq!(nodes, expected);
    }

    /// A witness whose nodes reference one node from every slot, level upon level: 21 distinct
    /// nodes (a few KB) that an eager opener would unfold into 16^20 paths. Opened lazily, a
    /// read decodes the 21 nodes on its path, once each.
    #[test]
    fn a_shared_subtree_is_not_expanded() {
        const LEVELS: usize = 20;
        let key = [0xabu8; 32];
        let path = nibbles(&key);
        // The leaf under LEVELS branches holds the rest of the path.
        let mut node = Bytes::from(encode(&leaf(path[LEVELS..].to_vec(), value(9))));
        let mut pool = NodePool::default();
        let mut hash = pool.insert(node.clone());
        for _ in 0..LEVELS {
            let items: Vec<Vec<u8>> =
                (0..16).map(|_| rlp_str(hash.as_slice())).chain([vec![EMPTY_STRING_CODE]]).collect();
            node = Bytes::from(rlp_list(&items));
            hash = pool.insert(node.clone());
        }
        assert_eq!(pool.len(), LEVELS + 1);
        let mut t = PartialTrie::open(hash, &pool).unwrap();
        assert_eq!(t.get(&key), Ok(Some(&value(9)[..])));
        // Any first 20 nibbles lead to the same leaf: a key differing there is present too, one
        // differing after it is absent.
        let mut other = key;
        other[0] = 0x12;
        assert_eq!(t.get(&other), Ok(Some(&value(9)[..])));
        other[31] = 0x12;
        assert_eq!(t.get(&other), Ok(None));
        // Shared nodes are decoded per slot reached: three paths, at most 3 × 21 nodes.
        assert!(t.nodes().len() <= 3 * (LEVELS + 1), "{}", t.nodes().len());
        assert_eq!(t.root(), hash);
        // Writes work the same: the root follows.
        t.insert(&key, value(3)).unwrap();
        assert_ne!(t.root(), hash);
    }
}
