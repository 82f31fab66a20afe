//! Block witnesses from an L2 node's JSON-RPC.
//!
//! The block: `debug_getRawBlock` when served, else `eth_getBlockByNumber(n, true)` re-encoded as
//! an `alloy_consensus::Block<TxEnvelope>`; either way its header must hash to the node's block
//! hash and its transactions to the header's transactions root.
//!
//! The witness, from the first source the node serves:
//! 1. `debug_executionWitness` (reth, geth): the node's own witness, passed through (the parent
//!    header is added if the node left it out).
//! 2. Otherwise (anvil): the accounts and slots the block touches, from `prestateTracer`, plus those
//!    the block executor touches outside transactions (system address and contracts of EIP-4788,
//!    EIP-2935, EIP-7002, EIP-7251, beneficiary, withdrawal recipients); `eth_getProof` at the parent
//!    for all of them gives the trie nodes, `eth_getCode` the codes. A deletion (a slot set to zero,
//!    an account removed) can collapse a branch into its one remaining child, which the post-state
//!    root computation must then read although no transaction touched it. The deletions are found
//!    by comparing proofs at the parent and at the block; each sibling that may be needed is
//!    rebuilt from the block's proof (where it appears merged with the collapsed branch's nibble)
//!    or, when it is a branch, taken from a parent proof of a key ground to pass through it.
//!
//! Ancestor headers: the parent; all ancestors up to 256 back when a dry run of the STF shows the
//! block reads older block hashes (BLOCKHASH). Every header is checked against the node's hash and
//! the parent-hash chain.
//!
//! Anything the node returns that does not fit (unknown block, wrong hash, a proof that does not
//! reach the state root, code that does not hash to the account's code hash) is a
//! [`FetchError`]; nothing here panics on node data.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use alloy::{
    eips::{
        BlockNumberOrTag, eip2935::HISTORY_STORAGE_ADDRESS, eip4788::BEACON_ROOTS_ADDRESS, eip4788::SYSTEM_ADDRESS,
        eip7002::WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, eip7251::CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS,
    },
    rpc::{
        client::RpcClient,
        types::{
            Block as RpcBlock, EIP1186AccountProofResponse, Header as RpcHeader,
            trace::geth::{AccountState, DiffMode},
        },
    },
    transports::{RpcError, TransportErrorKind},
};
use alloy_consensus::{Header, proofs::calculate_transaction_root};
use alloy_primitives::{Address, B256, Bytes, U64, U256, keccak256};
use alloy_rlp::Decodable;
use alloy_trie::{
    EMPTY_ROOT_HASH, KECCAK_EMPTY, Nibbles, TrieAccount,
    nodes::{ExtensionNode, LeafNode, RlpNode, TrieNode},
};
use phat_prover_core::{
    ChainConfig, DbError, ExecutionWitness, Fork, StatelessInput, StfError, execute,
    witness::{L2Block, MAX_ANCESTORS, decode_exact},
};
use serde::Deserialize;

use crate::{
    error::{FetchError, TraceFault, TrieId},
    files::WitnessFile,
};

/// EIP-2935 `HISTORY_SERVE_WINDOW` and EIP-4788 `HISTORY_BUFFER_LENGTH`.
const RING: u64 = 8191;
/// EIP-7002 / EIP-7251 storage: excess, count, queue head, queue tail, then the queue.
const QUEUE_HEAD: u64 = 2;
const QUEUE_TAIL: u64 = 3;
const QUEUE_OFFSET: u64 = 4;
/// Calls per JSON-RPC batch.
const BATCH: usize = 100;
/// Deepest branch sibling we grind a key for (16^6 keccaks expected at worst).
const MAX_GRIND_NIBBLES: usize = 6;

/// Builds the witness of block `number` from an L2 node, for the chain `chain` (from the caller's
/// configuration; a node of another chain is refused).
pub async fn fetch_witness(rpc_url: &str, number: u64, chain: &ChainConfig) -> Result<WitnessFile, FetchError> {
    Node::connect(rpc_url)?.witness(number, chain).await
}

/// The chain id of the node at `rpc_url`.
pub async fn chain_id(rpc_url: &str) -> Result<u64, FetchError> {
    Node::connect(rpc_url)?.chain_id().await
}

/// The RLP of block `number`'s header, checked against the node's block hash.
pub async fn raw_header(rpc_url: &str, number: u64) -> Result<Bytes, FetchError> {
    Node::connect(rpc_url)?.raw_header(number).await
}

impl Node {
    /// [`fetch_witness`] from this node (its pooled connections).
    pub async fn witness(&self, number: u64, chain: &ChainConfig) -> Result<WitnessFile, FetchError> {
        let node = self;
        if number == 0 {
            return Err(FetchError::Genesis);
        }
        let chain_id = node.same_chain(chain.chain_id()).await?;
        let (block_rlp, block) = node.block(number).await?;
        let parent = node.parent_of(&block.header).await?;

        let witness = match node.execution_witness(number).await? {
            Some(mut witness) => {
                with_parent(&mut witness, &parent);
                witness
            }
            None => {
                let mut witness = ProofWitness::new(node, chain, &block, &parent).build().await?;
                witness.headers = vec![alloy_rlp::encode(&parent).into()];
                let input = StatelessInput { block: block.clone(), witness: witness.clone() };
                node.after_dry_run(number, &mut witness, execute(chain, &input).map(drop)).await?;
                witness
            }
        };
        Ok(WitnessFile { chain_id, block: block_rlp, witness })
    }

    /// What a dry run of the STF on a fetched witness tells: a block that reads an older block
    /// hash than the witness holds gets every ancestor up to 256 back; any other failure is
    /// logged (the prover will refuse it with the reason).
    pub(crate) async fn after_dry_run(
        &self,
        number: u64,
        witness: &mut ExecutionWitness,
        dry_run: Result<(), StfError>,
    ) -> Result<(), FetchError> {
        match dry_run {
            Err(StfError::MissingWitness(DbError::MissingBlockHash(_))) => {
                let oldest = number.saturating_sub(MAX_ANCESTORS as u64);
                let numbers: Vec<u64> = (oldest..number).rev().collect();
                let headers = self.headers(&numbers).await?;
                witness.headers = headers.iter().map(|h| alloy_rlp::encode(h).into()).collect();
            }
            Err(e) => tracing::warn!(block = number, "dry run of the STF on the fetched witness failed: {e}"),
            Ok(()) => {}
        }
        Ok(())
    }

    /// The node's chain id, which must be `configured` (the caller's chain config's).
    pub(crate) async fn same_chain(&self, configured: u64) -> Result<u64, FetchError> {
        let chain_id = self.chain_id().await?;
        if chain_id != configured {
            return Err(FetchError::WrongChain { config: configured, node: chain_id });
        }
        Ok(chain_id)
    }

    /// The parent header of `header`, which must hash to its parent hash.
    pub(crate) async fn parent_of(&self, header: &Header) -> Result<Header, FetchError> {
        let number = header.number;
        let parent = self.headers(&[number.saturating_sub(1)]).await?.remove(0);
        if parent.hash_slow() != header.parent_hash {
            return Err(FetchError::Unlinked { number, parent_hash: header.parent_hash, served: parent.hash_slow() });
        }
        Ok(parent)
    }

    /// The node's chain id.
    pub async fn chain_id(&self) -> Result<u64, FetchError> {
        Ok(self.call::<_, U64>("eth_chainId", ()).await?.to::<u64>())
    }

    /// The RLP of block `number`'s header, checked against the node's block hash.
    pub async fn raw_header(&self, number: u64) -> Result<Bytes, FetchError> {
        let header = self.headers(&[number]).await?.remove(0);
        Ok(alloy_rlp::encode(&header).into())
    }
}

/// A node's own witness with the parent header added if the node left it out.
pub(crate) fn with_parent(witness: &mut ExecutionWitness, parent: &Header) {
    let parent_hash = parent.hash_slow();
    let has_parent =
        witness.headers.iter().any(|h| decode_exact::<Header>(h).is_ok_and(|h| h.hash_slow() == parent_hash));
    if !has_parent {
        witness.headers.insert(0, alloy_rlp::encode(parent).into());
    }
}

/// Parameters of a JSON-RPC call (alloy's `RpcSend`, which the `alloy` facade does not export).
pub(crate) trait RpcSend: serde::Serialize + Clone + std::fmt::Debug + Send + Sync + Unpin {}
impl<T: serde::Serialize + Clone + std::fmt::Debug + Send + Sync + Unpin> RpcSend for T {}

/// Answer of a JSON-RPC call (alloy's `RpcRecv`).
pub(crate) trait RpcRecv: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + Unpin + 'static {}
impl<T: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + Unpin + 'static> RpcRecv for T {}

/// An L2 node's JSON-RPC endpoint: one HTTP client, whose connections are pooled across calls.
pub struct Node {
    client: RpcClient,
}

fn rpc_error(method: &'static str, e: RpcError<TransportErrorKind>) -> FetchError {
    FetchError::Call { method, message: one_line(&e.to_string(), 240) }
}

/// Text a node sent (it may be hostile) as one printable line of at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let printable: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let line = printable.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Whether the node answered that it does not serve the method.
fn unsupported(e: &RpcError<TransportErrorKind>) -> bool {
    let Some(payload) = e.as_error_resp() else {
        return false;
    };
    let message = payload.message.to_lowercase();
    payload.code == -32601
        || ["method not found", "not supported", "does not exist", "unsupported", "not implemented"]
            .iter()
            .any(|s| message.contains(s))
}

impl Node {
    /// The node at `rpc_url` (nothing is sent yet).
    pub fn connect(rpc_url: &str) -> Result<Self, FetchError> {
        let url = rpc_url.parse().map_err(|_| FetchError::Url(rpc_url.into()))?;
        Ok(Self { client: RpcClient::new_http(url) })
    }

    pub(crate) async fn call<P: RpcSend, R: RpcRecv>(&self, method: &'static str, params: P) -> Result<R, FetchError> {
        self.client.request(method, params).await.map_err(|e| rpc_error(method, e))
    }

    /// [`Self::call`], `None` when the node does not serve `method`.
    pub(crate) async fn optional<P: RpcSend, R: RpcRecv>(
        &self,
        method: &'static str,
        params: P,
    ) -> Result<Option<R>, FetchError> {
        match self.client.request(method, params).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if unsupported(&e) => Ok(None),
            Err(e) => Err(rpc_error(method, e)),
        }
    }

    /// One call of `method` per element of `params`, in JSON-RPC batches; answers in order.
    async fn batch<P: RpcSend, R: RpcRecv>(&self, method: &'static str, params: &[P]) -> Result<Vec<R>, FetchError> {
        let mut out = Vec::with_capacity(params.len());
        for chunk in params.chunks(BATCH) {
            let mut batch = self.client.new_batch();
            let waiters = chunk
                .iter()
                .map(|p| batch.add_call::<P, R>(method, p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| rpc_error(method, e))?;
            batch.send().await.map_err(|e| rpc_error(method, e))?;
            for waiter in waiters {
                out.push(waiter.await.map_err(|e| rpc_error(method, e))?);
            }
        }
        Ok(out)
    }

    /// The block's RLP and decoded form, checked against the node's block hash.
    async fn block(&self, number: u64) -> Result<(Bytes, L2Block), FetchError> {
        let rpc: Option<RpcBlock> = self.call("eth_getBlockByNumber", (BlockNumberOrTag::Number(number), true)).await?;
        let rpc = rpc.ok_or(FetchError::BlockNotFound(number))?;
        let hash = rpc.header.hash;
        if rpc.header.number != number {
            return Err(FetchError::WrongBlock { asked: number, got: rpc.header.number });
        }
        let (rlp, block) = match self.optional::<_, Bytes>("debug_getRawBlock", (U64::from(number),)).await? {
            Some(raw) => {
                let block = decode_exact::<L2Block>(&raw).map_err(|e| FetchError::RawBlock { number, source: e })?;
                (raw, block)
            }
            None => {
                let block: L2Block = rpc.into_consensus().map_transactions(|tx| tx.into_inner());
                (alloy_rlp::encode(&block).into(), block)
            }
        };
        let computed = block.header.hash_slow();
        if computed != hash {
            return Err(FetchError::BlockHash { number, computed, claimed: hash });
        }
        let transactions_root = calculate_transaction_root(&block.body.transactions);
        if transactions_root != block.header.transactions_root {
            return Err(FetchError::TransactionsRoot {
                number,
                computed: transactions_root,
                header: block.header.transactions_root,
            });
        }
        Ok((rlp, block))
    }

    /// The headers of blocks `numbers`, each checked against the node's hash; consecutive
    /// descending numbers must also be linked by parent hash.
    pub(crate) async fn headers(&self, numbers: &[u64]) -> Result<Vec<Header>, FetchError> {
        let params: Vec<_> = numbers.iter().map(|n| (BlockNumberOrTag::Number(*n), false)).collect();
        let answers: Vec<Option<RpcHeader>> = self.batch("eth_getBlockByNumber", &params).await?;
        let mut headers = Vec::with_capacity(numbers.len());
        for (&number, answer) in numbers.iter().zip(answers) {
            let rpc = answer.ok_or(FetchError::BlockNotFound(number))?;
            let (hash, header) = (rpc.hash, rpc.inner);
            if header.number != number || header.hash_slow() != hash {
                return Err(FetchError::Header {
                    number,
                    got: header.number,
                    computed: header.hash_slow(),
                    claimed: hash,
                });
            }
            headers.push(header);
        }
        for pair in headers.windows(2) {
            if pair[0].number == pair[1].number + 1 && pair[0].parent_hash != pair[1].hash_slow() {
                return Err(FetchError::Unlinked {
                    number: pair[0].number,
                    parent_hash: pair[0].parent_hash,
                    served: pair[1].hash_slow(),
                });
            }
        }
        Ok(headers)
    }

    /// `debug_executionWitness`, `None` when not served (or not in the reth shape).
    pub(crate) async fn execution_witness(&self, number: u64) -> Result<Option<ExecutionWitness>, FetchError> {
        let Some(value) = self.optional::<_, serde_json::Value>("debug_executionWitness", (U64::from(number),)).await?
        else {
            return Ok(None);
        };
        match serde_json::from_value(value) {
            Ok(witness) => Ok(Some(witness)),
            Err(e) => {
                tracing::warn!("debug_executionWitness answered in an unknown shape ({e}); using eth_getProof instead");
                Ok(None)
            }
        }
    }

    /// `eth_getProof` at block `at` for each account with its slots.
    pub(crate) async fn proofs(
        &self,
        keys: &BTreeMap<Address, BTreeSet<B256>>,
        at: u64,
    ) -> Result<Vec<EIP1186AccountProofResponse>, FetchError> {
        let params: Vec<_> = keys
            .iter()
            .map(|(address, slots)| (*address, slots.iter().copied().collect::<Vec<_>>(), BlockNumberOrTag::Number(at)))
            .collect();
        let proofs: Vec<EIP1186AccountProofResponse> = self.batch("eth_getProof", &params).await?;
        for (proof, (address, slots)) in proofs.iter().zip(keys) {
            if proof.address != *address || proof.storage_proof.len() != slots.len() {
                return Err(FetchError::ProofForOtherKeys { address: *address, at });
            }
        }
        Ok(proofs)
    }

    /// The trace of every transaction of block `number` with `prestateTracer` (`diff` mode or not).
    async fn prestate<T: serde::de::DeserializeOwned>(&self, number: u64, diff: bool) -> Result<Vec<T>, FetchError> {
        #[derive(Debug, Deserialize)]
        struct TxTrace {
            result: Option<serde_json::Value>,
            error: Option<String>,
        }
        let config = serde_json::json!({ "tracer": "prestateTracer", "tracerConfig": { "diffMode": diff } });
        let traces: Vec<TxTrace> = self.call("debug_traceBlockByNumber", (U64::from(number), config)).await?;
        traces
            .into_iter()
            .enumerate()
            .map(|(i, trace)| match (trace.result, trace.error) {
                (_, Some(error)) => {
                    Err(FetchError::Trace { number, index: i, fault: TraceFault::Node(one_line(&error, 240)) })
                }
                (Some(result), None) => serde_json::from_value(result).map_err(|_| FetchError::Trace {
                    number,
                    index: i,
                    fault: TraceFault::Shape,
                }),
                (None, None) => Err(FetchError::Trace { number, index: i, fault: TraceFault::Empty }),
            })
            .collect()
    }
}

/// Trie nodes by hash, in first-seen order.
#[derive(Default)]
struct Pool {
    nodes: HashMap<B256, Bytes>,
    order: Vec<B256>,
}

impl Pool {
    fn add(&mut self, node: Bytes) {
        // anvil proves the empty trie with the node `0x80`: nothing to keep.
        if node[..] == [alloy_rlp::EMPTY_STRING_CODE] {
            return;
        }
        let hash = keccak256(&node);
        if self.nodes.insert(hash, node).is_none() {
            self.order.push(hash);
        }
    }

    fn add_proof(&mut self, proof: &EIP1186AccountProofResponse) {
        for node in proof.account_proof.iter().chain(proof.storage_proof.iter().flat_map(|s| &s.proof)) {
            self.add(node.clone());
        }
    }

    fn into_vec(mut self) -> Vec<Bytes> {
        self.order.iter().filter_map(|h| self.nodes.remove(h)).collect()
    }
}

/// A branch on the path to a key: its nibble path, its children, and the nibble the key takes.
struct PathBranch {
    prefix: Vec<u8>,
    children: [Option<RlpNode>; 16],
    taken: u8,
}

/// Why a key could not be looked up in a pool.
enum WalkError {
    /// A node on the path is not in the pool.
    Missing(B256),
    /// A node does not decode.
    Malformed(B256),
}

/// Looks `key` (a hashed key) up in the trie of `root` within `pool`: the branches on its path and
/// its value if present.
fn walk(pool: &Pool, root: B256, key: B256) -> Result<(Vec<PathBranch>, Option<Vec<u8>>), WalkError> {
    let path = Nibbles::unpack(key).to_vec();
    let mut branches = Vec::new();
    if root == EMPTY_ROOT_HASH {
        return Ok((branches, None));
    }
    let mut reference = RlpNode::word_rlp(&root);
    let mut depth = 0;
    loop {
        let (rlp, at): (&[u8], B256) = match reference.as_hash() {
            Some(hash) => (pool.nodes.get(&hash).ok_or(WalkError::Missing(hash))?, hash),
            None => (&reference, keccak256(&reference[..])),
        };
        let node = TrieNode::decode(&mut &rlp[..]).map_err(|_| WalkError::Malformed(at))?;
        match node {
            TrieNode::EmptyRoot => return Ok((branches, None)),
            TrieNode::Leaf(leaf) => {
                let found = leaf.key.to_vec() == path[depth..];
                return Ok((branches, found.then_some(leaf.value)));
            }
            TrieNode::Extension(ext) => {
                let key = ext.key.to_vec();
                if !path[depth..].starts_with(&key) {
                    return Ok((branches, None));
                }
                depth += key.len();
                reference = ext.child;
            }
            TrieNode::Branch(branch) => {
                let Some(&taken) = path.get(depth) else {
                    return Err(WalkError::Malformed(at));
                };
                let mut children: [Option<RlpNode>; 16] = Default::default();
                for (i, child) in branch.as_ref().children() {
                    children[usize::from(i)] = child.cloned();
                }
                let next = children[usize::from(taken)].clone();
                branches.push(PathBranch { prefix: path[..depth].to_vec(), children, taken });
                let Some(next) = next else {
                    return Ok((branches, None));
                };
                depth += 1;
                reference = next;
            }
        }
    }
}

/// A node the post-state computation may need that the proofs did not give.
struct Needed {
    /// `None`: the account trie; else the storage trie of that account.
    trie: Option<Address>,
    /// Nibble path of the node (a key through it has this prefix).
    prefix: Vec<u8>,
    hash: B256,
}

/// The siblings that removing `deleted` keys from the trie of `root` may collapse a branch into:
/// for each branch on a deleted path, when at most one of its children is off every deleted path,
/// that child (if it is a hash reference not in the pool).
fn siblings(pool: &Pool, trie: Option<Address>, root: B256, deleted: &[B256]) -> Result<Vec<Needed>, FetchError> {
    // Per branch (by nibble path): its children and the nibbles deleted keys take through it.
    type Children = [Option<RlpNode>; 16];
    let mut branches: BTreeMap<Vec<u8>, (Children, BTreeSet<u8>)> = BTreeMap::new();
    for key in deleted {
        let (path, _) = walk(pool, root, *key).map_err(|e| walk_error(trie, e))?;
        for b in path {
            branches.entry(b.prefix).or_insert_with(|| (b.children, BTreeSet::new())).1.insert(b.taken);
        }
    }
    let mut needed = Vec::new();
    for (prefix, (children, taken)) in branches {
        let rest: Vec<usize> = (0..16).filter(|&i| children[i].is_some() && !taken.contains(&(i as u8))).collect();
        if rest.len() > 1 {
            continue;
        }
        for i in rest {
            if let Some(hash) = children[i].as_ref().and_then(RlpNode::as_hash)
                && !pool.nodes.contains_key(&hash)
            {
                let mut prefix = prefix.clone();
                prefix.push(i as u8);
                needed.push(Needed { trie, prefix, hash });
            }
        }
    }
    Ok(needed)
}

fn walk_error(trie: Option<Address>, e: WalkError) -> FetchError {
    let trie = trie.map_or(TrieId::State, TrieId::Storage);
    match e {
        WalkError::Missing(hash) => FetchError::ProofMissingNode { trie, hash },
        WalkError::Malformed(hash) => FetchError::MalformedNode { trie, hash },
    }
}

/// The account `address` in the state trie of `root`.
fn account(pool: &Pool, root: B256, address: Address) -> Result<Option<TrieAccount>, FetchError> {
    let (_, leaf) = walk(pool, root, keccak256(address)).map_err(|e| walk_error(None, e))?;
    leaf.map(|leaf| decode_exact::<TrieAccount>(&leaf).map_err(|_| FetchError::AccountLeaf(address))).transpose()
}

/// The value of `slot` in the storage trie of `root` (owned by `address`).
fn slot(pool: &Pool, address: Address, root: B256, slot: B256) -> Result<Option<U256>, FetchError> {
    let (_, leaf) = walk(pool, root, keccak256(slot)).map_err(|e| walk_error(Some(address), e))?;
    leaf.map(|leaf| decode_exact::<U256>(&leaf).map_err(|_| FetchError::StorageLeaf(address))).transpose()
}

/// A leaf or extension sibling reappears in a canonical node's post-state proofs merged with the
/// nibbles above it: shortens the merged nodes of `post` back and returns those that hash to a
/// `wanted` sibling. (anvil never merges: it keeps deleted slots as zero leaves.)
fn unmerged(post: &Pool, wanted: &HashSet<B256>) -> Vec<Bytes> {
    let mut found = Vec::new();
    for node in post.nodes.values() {
        let shortened: Vec<TrieNode> = match TrieNode::decode(&mut &node[..]) {
            Ok(TrieNode::Leaf(leaf)) => (1..leaf.key.len())
                .map(|k| TrieNode::Leaf(LeafNode::new(leaf.key.slice(k..), leaf.value.clone())))
                .collect(),
            Ok(TrieNode::Extension(ext)) => (1..ext.key.len())
                .map(|k| TrieNode::Extension(ExtensionNode::new(ext.key.slice(k..), ext.child.clone())))
                .collect(),
            _ => continue,
        };
        for candidate in shortened {
            let rlp = alloy_rlp::encode(&candidate);
            if wanted.contains(&keccak256(&rlp)) {
                found.push(rlp.into());
            }
        }
    }
    found
}

fn nibble(hash: &B256, i: usize) -> u8 {
    let byte = hash[i / 2];
    if i.is_multiple_of(2) { byte >> 4 } else { byte & 0x0f }
}

/// A preimage of `N` bytes whose keccak256 starts with the nibbles `prefix`.
fn grind<const N: usize>(prefix: &[u8]) -> Option<[u8; N]> {
    if prefix.len() > MAX_GRIND_NIBBLES || N < 8 {
        return None;
    }
    // Expected 16^len tries; giving up after 64 times that fails with probability e^-64.
    let tries = 64u64 << (4 * prefix.len());
    let mut preimage = [0x9au8; N];
    (0..tries).find_map(|i| {
        preimage[N - 8..].copy_from_slice(&i.to_be_bytes());
        let hash = keccak256(preimage);
        prefix.iter().enumerate().all(|(j, &n)| nibble(&hash, j) == n).then_some(preimage)
    })
}

/// The witness of a block from `prestateTracer` and `eth_getProof` (nodes without
/// `debug_executionWitness`). Headers are left to the caller.
pub(crate) struct ProofWitness<'a> {
    node: &'a Node,
    number: u64,
    header: &'a Header,
    /// Withdrawal recipients (credited outside transactions).
    withdrawals: Vec<Address>,
    parent: &'a Header,
    prague: bool,
    /// Accounts and slots the block reads or writes.
    touched: BTreeMap<Address, BTreeSet<B256>>,
    /// Accounts and slots that may be deleted by the block.
    maybe_deleted: BTreeMap<Address, BTreeSet<B256>>,
    /// Nodes of the parent state.
    pre: Pool,
    /// Accounts at the parent.
    accounts: BTreeMap<Address, Option<TrieAccount>>,
}

impl<'a> ProofWitness<'a> {
    fn new(node: &'a Node, chain: &ChainConfig, block: &'a L2Block, parent: &'a Header) -> Self {
        let prague = chain.fork_at(block.header.timestamp).is_ok_and(|f| f >= Fork::Prague);
        let withdrawals = block.body.withdrawals.iter().flatten().map(|w| w.address).collect();
        Self::for_header(node, &block.header, withdrawals, parent, prague)
    }

    /// A witness builder for any block shape: its header, the accounts it credits outside
    /// transactions, its parent, and whether Prague's system calls run (EIP-2935, EIP-7002, EIP-7251).
    pub(crate) fn for_header(
        node: &'a Node,
        header: &'a Header,
        withdrawals: Vec<Address>,
        parent: &'a Header,
        prague: bool,
    ) -> Self {
        Self {
            node,
            number: header.number,
            header,
            withdrawals,
            parent,
            prague,
            touched: BTreeMap::new(),
            maybe_deleted: BTreeMap::new(),
            pre: Pool::default(),
            accounts: BTreeMap::new(),
        }
    }

    /// Accounts and slots the block's executor reads or writes outside transactions, beyond
    /// Ethereum's (an OP executor's L1Block slots, fee vaults): proven at the parent, and checked for
    /// deletion.
    pub(crate) fn with_system(mut self, keys: impl IntoIterator<Item = (Address, Vec<B256>)>) -> Self {
        for (address, slots) in keys {
            self.touch(address, slots.iter().copied());
            self.may_delete(address, slots);
        }
        self
    }

    pub(crate) async fn build(mut self) -> Result<ExecutionWitness, FetchError> {
        self.trace().await?;
        self.system_keys();

        // Parent proofs of everything touched; system contract queues once their heads are known.
        let mut round = self.touched.clone();
        for _ in 0..2 {
            let proofs = self.node.proofs(&round, self.number - 1).await?;
            for proof in &proofs {
                self.pre.add_proof(proof);
            }
            self.check_parent_proofs(&round)?;
            round = self.system_queues()?;
            if round.is_empty() {
                break;
            }
        }
        let codes = self.codes().await?;
        self.siblings().await?;

        let mut keys: BTreeSet<Bytes> = BTreeSet::new();
        for (address, slots) in &self.touched {
            keys.insert(Bytes::copy_from_slice(address.as_slice()));
            keys.extend(slots.iter().map(|s| Bytes::copy_from_slice(s.as_slice())));
        }
        Ok(ExecutionWitness {
            state: self.pre.into_vec(),
            codes,
            keys: keys.into_iter().collect(),
            headers: Vec::new(),
        })
    }

    fn touch(&mut self, address: Address, slots: impl IntoIterator<Item = B256>) {
        self.touched.entry(address).or_default().extend(slots);
    }

    fn may_delete(&mut self, address: Address, slots: impl IntoIterator<Item = B256>) {
        self.maybe_deleted.entry(address).or_default().extend(slots);
    }

    /// Touched accounts and slots from `prestateTracer`; possible deletions from its diff mode.
    async fn trace(&mut self) -> Result<(), FetchError> {
        for state in self.node.prestate::<BTreeMap<Address, AccountState>>(self.number, false).await? {
            for (address, account) in state {
                self.touch(address, account.storage.into_keys());
            }
        }
        match self.node.prestate::<DiffMode>(self.number, true).await {
            Ok(diffs) => {
                for DiffMode { pre, post } in diffs {
                    for (address, before) in &pre {
                        self.touch(*address, before.storage.keys().copied());
                        match post.get(address) {
                            None => self.may_delete(*address, before.storage.keys().copied()),
                            Some(after) => {
                                let cleared = before.storage.iter().filter(|(slot, value)| {
                                    !value.is_zero() && after.storage.get(*slot).is_none_or(|v| v.is_zero())
                                });
                                let cleared: Vec<B256> = cleared.map(|(slot, _)| *slot).collect();
                                if !cleared.is_empty() {
                                    self.may_delete(*address, cleared);
                                }
                            }
                        }
                    }
                    for (address, after) in post {
                        let zeroed: Vec<B256> =
                            after.storage.iter().filter(|(_, v)| v.is_zero()).map(|(slot, _)| *slot).collect();
                        self.touch(address, after.storage.into_keys());
                        if !zeroed.is_empty() {
                            self.may_delete(address, zeroed);
                        }
                    }
                }
            }
            Err(e) => {
                // Without the diff, any touched key may have been deleted.
                tracing::debug!("prestateTracer diff mode failed ({e}); checking every touched key for deletion");
                self.maybe_deleted = self.touched.clone();
            }
        }
        Ok(())
    }

    /// What the block executor touches outside transactions. Their writes are not traced, so every
    /// system slot may be a deletion.
    fn system_keys(&mut self) {
        let header = self.header;
        self.touch(SYSTEM_ADDRESS, []);
        self.touch(header.beneficiary, []);
        for address in self.withdrawals.clone() {
            self.touch(address, []);
        }
        let ring = header.timestamp % RING;
        let beacon = [B256::from(U256::from(ring)), B256::from(U256::from(ring + RING))];
        self.touch(BEACON_ROOTS_ADDRESS, beacon);
        self.may_delete(BEACON_ROOTS_ADDRESS, beacon);
        if self.prague {
            let history = [B256::from(U256::from((header.number - 1) % RING))];
            self.touch(HISTORY_STORAGE_ADDRESS, history);
            self.may_delete(HISTORY_STORAGE_ADDRESS, history);
            for queue in [WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS] {
                let slots: Vec<B256> = (0..QUEUE_OFFSET).map(|s| B256::from(U256::from(s))).collect();
                self.touch(queue, slots.clone());
                self.may_delete(queue, slots);
            }
        }
    }

    /// Every account and slot of `round` must be answerable from the parent nodes.
    fn check_parent_proofs(&mut self, round: &BTreeMap<Address, BTreeSet<B256>>) -> Result<(), FetchError> {
        for (address, slots) in round {
            let trie_account = account(&self.pre, self.parent.state_root, *address)?;
            let storage_root = trie_account.map_or(EMPTY_ROOT_HASH, |a| a.storage_root);
            for s in slots {
                slot(&self.pre, *address, storage_root, *s)?;
            }
            self.accounts.insert(*address, trie_account);
        }
        Ok(())
    }

    /// The queue slots the EIP-7002 / EIP-7251 system calls will read, beyond those already
    /// touched (only when those contracts exist and have pending requests).
    fn system_queues(&mut self) -> Result<BTreeMap<Address, BTreeSet<B256>>, FetchError> {
        let mut more = BTreeMap::new();
        if !self.prague {
            return Ok(more);
        }
        // (contract, slots per request, requests dequeued per block at most)
        for (contract, width, max) in
            [(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, 3u64, 16u64), (CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS, 4, 2)]
        {
            let Some(Some(info)) = self.accounts.get(&contract).copied() else {
                continue;
            };
            if info.code_hash == KECCAK_EMPTY {
                continue;
            }
            let read = |s: u64| {
                slot(&self.pre, contract, info.storage_root, B256::from(U256::from(s))).map(|v| v.unwrap_or_default())
            };
            let (head, tail) = (read(QUEUE_HEAD)?, read(QUEUE_TAIL)?);
            let pending = tail.saturating_sub(head).min(U256::from(max)).to::<u64>();
            let slots: BTreeSet<B256> = (0..pending)
                .flat_map(|i| {
                    let first = U256::from(QUEUE_OFFSET) + (head + U256::from(i)) * U256::from(width);
                    (0..width).map(move |k| B256::from(first + U256::from(k)))
                })
                .filter(|s| !self.touched.get(&contract).is_some_and(|t| t.contains(s)))
                .collect();
            if !slots.is_empty() {
                self.touch(contract, slots.iter().copied());
                more.insert(contract, slots);
            }
        }
        Ok(more)
    }

    /// Codes of the touched accounts at the parent.
    async fn codes(&self) -> Result<Vec<Bytes>, FetchError> {
        let with_code: Vec<(Address, B256)> = self
            .accounts
            .iter()
            .filter_map(|(address, a)| a.filter(|a| a.code_hash != KECCAK_EMPTY).map(|a| (*address, a.code_hash)))
            .collect();
        let params: Vec<_> =
            with_code.iter().map(|(address, _)| (*address, BlockNumberOrTag::Number(self.number - 1))).collect();
        let codes: Vec<Bytes> = self.node.batch("eth_getCode", &params).await?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for ((address, hash), code) in with_code.into_iter().zip(codes) {
            if keccak256(&code) != hash {
                return Err(FetchError::CodeHash { address, code_hash: hash });
            }
            if seen.insert(hash) {
                out.push(code);
            }
        }
        Ok(out)
    }

    /// Adds the branch siblings that the block's deletions may collapse into.
    async fn siblings(&mut self) -> Result<(), FetchError> {
        if self.maybe_deleted.is_empty() {
            return Ok(());
        }
        // What the block really deleted: present at the parent, absent after the block.
        let proofs = self.node.proofs(&self.maybe_deleted, self.number).await?;
        let mut post = Pool::default();
        for proof in &proofs {
            post.add_proof(proof);
        }
        let (pre_root, post_root) = (self.parent.state_root, self.header.state_root);
        let mut needed = Vec::new();
        let mut deleted_accounts = Vec::new();
        for (address, slots) in &self.maybe_deleted {
            let before = account(&self.pre, pre_root, *address)?;
            let after = account(&post, post_root, *address)?;
            match (before, after) {
                (Some(_), None) => deleted_accounts.push(keccak256(address)),
                (Some(before), Some(after)) => {
                    let mut deleted = Vec::new();
                    for s in slots {
                        let was = slot(&self.pre, *address, before.storage_root, *s)?;
                        let is = slot(&post, *address, after.storage_root, *s)?;
                        // A canonical node removes the leaf; anvil keeps it with value zero.
                        if was.is_some_and(|v| !v.is_zero()) && is.is_none_or(|v| v.is_zero()) {
                            deleted.push(keccak256(s));
                        }
                    }
                    needed.extend(siblings(&self.pre, Some(*address), before.storage_root, &deleted)?);
                }
                (None, _) => {}
            }
        }
        needed.extend(siblings(&self.pre, None, pre_root, &deleted_accounts)?);
        if needed.is_empty() {
            return Ok(());
        }

        let wanted: HashSet<B256> = needed.iter().map(|n| n.hash).collect();
        for node in unmerged(&post, &wanted) {
            self.pre.add(node);
        }
        needed.retain(|n| !self.pre.nodes.contains_key(&n.hash));

        // Branch siblings (or siblings also changed by the block): a parent proof of a key that
        // passes through them.
        let mut requests = Vec::new();
        for n in needed {
            let prefix = n.prefix.clone();
            let key = tokio::task::spawn_blocking(move || match n.trie {
                None => grind::<20>(&prefix).map(|a| (Address::from(a), None)),
                Some(owner) => grind::<32>(&prefix).map(|s| (owner, Some(B256::from(s)))),
            })
            .await
            .map_err(|_| FetchError::Grind)?;
            let Some((address, slot)) = key else {
                return Err(FetchError::SiblingTooDeep { hash: n.hash, depth: n.prefix.len() });
            };
            requests.push((n.hash, BTreeMap::from([(address, slot.into_iter().collect::<BTreeSet<_>>())])));
        }
        for (hash, keys) in requests {
            let proofs = self.node.proofs(&keys, self.number - 1).await?;
            let node = proofs
                .iter()
                .flat_map(|p| p.account_proof.iter().chain(p.storage_proof.iter().flat_map(|s| &s.proof)))
                .find(|node| keccak256(node) == hash)
                .ok_or(FetchError::SiblingUnreached(hash))?;
            self.pre.add(node.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grind_finds_prefixes() {
        let prefix = [0xa, 0x3, 0xf];
        let address = grind::<20>(&prefix).expect("found");
        let hash = keccak256(address);
        assert_eq!([nibble(&hash, 0), nibble(&hash, 1), nibble(&hash, 2)], prefix);
        assert!(grind::<32>(&[0; MAX_GRIND_NIBBLES + 1]).is_none());
    }

    /// Keys (hashes of small integers) whose first nibbles are as asked.
    fn keys() -> Vec<B256> {
        (0u64..).map(|i| keccak256(i.to_be_bytes())).take(4096).collect()
    }

    /// The trie of `keys` (all values 7): its root and every node with its path.
    fn build(keys: &[B256]) -> (B256, Vec<(Nibbles, Bytes)>) {
        let mut sorted = keys.to_vec();
        sorted.sort();
        let targets = sorted.iter().map(|k| Nibbles::unpack(k)).collect();
        let mut builder =
            alloy_trie::HashBuilder::default().with_proof_retainer(alloy_trie::proof::ProofRetainer::new(targets));
        for k in &sorted {
            builder.add_leaf(Nibbles::unpack(k), &alloy_rlp::encode(U256::from(7)));
        }
        let root = builder.root();
        let nodes = builder.take_proof_nodes().iter().map(|(p, n)| (*p, n.clone())).collect();
        (root, nodes)
    }

    /// The nodes on the path of `key`: what `eth_getProof` of it returns.
    fn proof_of(nodes: &[(Nibbles, Bytes)], key: B256) -> Pool {
        let mut pool = Pool::default();
        for (path, node) in nodes {
            if Nibbles::unpack(key).starts_with(path) {
                pool.add(node.clone());
            }
        }
        pool
    }

    /// Deletes `a` from the trie of `a` and `rest` with only `a`'s proof at hand: the one sibling
    /// needed, and whether it can be rebuilt from the post-state proof of `a` (else it is ground).
    fn delete_one(a: B256, rest: &[B256]) -> (Vec<Needed>, Vec<Bytes>) {
        let (root, nodes) = build(&[&[a], rest].concat());
        let pre = proof_of(&nodes, a);
        assert!(matches!(walk(&pre, root, a), Ok((_, Some(_)))));
        let needed = siblings(&pre, None, root, &[a]).expect("siblings");
        assert_eq!(needed.len(), 1);
        let all: HashSet<B256> = nodes.iter().map(|(_, n)| keccak256(n)).collect();
        assert!(all.contains(&needed[0].hash));
        let (_, post_nodes) = build(rest);
        let post = proof_of(&post_nodes, a);
        let rebuilt = unmerged(&post, &needed.iter().map(|n| n.hash).collect());
        (needed, rebuilt)
    }

    #[test]
    fn deleting_next_to_a_leaf_rebuilds_it() {
        let keys = keys();
        let a = keys[0];
        let b = *keys.iter().find(|k| nibble(k, 0) != nibble(&a, 0)).expect("b");
        let (needed, rebuilt) = delete_one(a, &[b]);
        assert_eq!(needed[0].prefix, vec![nibble(&b, 0)]);
        assert_eq!(rebuilt.len(), 1);
        assert_eq!(keccak256(&rebuilt[0]), needed[0].hash);
    }

    #[test]
    fn deleting_next_to_an_extension_rebuilds_it() {
        let keys = keys();
        let a = keys[0];
        let (d, e) = keys
            .iter()
            .filter(|d| nibble(d, 0) != nibble(&a, 0))
            .find_map(|d| {
                keys.iter()
                    .find(|e| {
                        nibble(e, 0) == nibble(d, 0) && nibble(e, 1) == nibble(d, 1) && nibble(e, 2) != nibble(d, 2)
                    })
                    .map(|e| (*d, *e))
            })
            .expect("d, e");
        let (needed, rebuilt) = delete_one(a, &[d, e]);
        assert_eq!(rebuilt.len(), 1);
        assert_eq!(keccak256(&rebuilt[0]), needed[0].hash);
        assert!(matches!(TrieNode::decode(&mut &rebuilt[0][..]), Ok(TrieNode::Extension(_))));
    }

    #[test]
    fn deleting_next_to_a_branch_needs_a_ground_key() {
        let keys = keys();
        let a = keys[0];
        let b = *keys.iter().find(|k| nibble(k, 0) != nibble(&a, 0)).expect("b");
        let c = *keys.iter().find(|k| nibble(k, 0) == nibble(&b, 0) && nibble(k, 1) != nibble(&b, 1)).expect("c");
        let (needed, rebuilt) = delete_one(a, &[b, c]);
        assert!(rebuilt.is_empty());
        // A key ground to the sibling's prefix has a proof through it.
        let ground = grind::<32>(&needed[0].prefix).expect("ground");
        let (_, nodes) = build(&[a, b, c]);
        let through = proof_of(&nodes, keccak256(ground));
        assert!(through.nodes.contains_key(&needed[0].hash));
    }

    #[test]
    fn nothing_is_needed_when_two_children_remain_or_all_is_known() {
        let keys = keys();
        let a = keys[0];
        let others: Vec<B256> = keys.iter().filter(|k| nibble(k, 0) != nibble(&a, 0)).take(40).copied().collect();
        let (root, nodes) = build(&[&[a], others.as_slice()].concat());
        // The root branch keeps many children.
        assert!(siblings(&proof_of(&nodes, a), None, root, &[a]).expect("siblings").is_empty());
        let mut all = Pool::default();
        for (_, node) in &nodes {
            all.add(node.clone());
        }
        assert!(siblings(&all, None, root, &others[..1]).expect("siblings").is_empty());
    }

    #[test]
    fn walk_reports_missing_nodes() {
        let keys = keys();
        let (root, nodes) = build(&keys[..20]);
        let pool = proof_of(&nodes, keys[0]);
        assert!(matches!(walk(&pool, root, keys[0]), Ok((_, Some(_)))));
        assert!(matches!(walk(&pool, root, keys[1]), Err(WalkError::Missing(_)) | Ok((_, None))));
        assert!(matches!(walk(&Pool::default(), root, keys[0]), Err(WalkError::Missing(h)) if h == root));
        assert!(matches!(walk(&Pool::default(), EMPTY_ROOT_HASH, keys[0]), Ok((b, None)) if b.is_empty()));
    }
}
