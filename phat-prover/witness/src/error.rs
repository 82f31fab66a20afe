//! Why a witness could not be built from a node, or a witness or proof file could not be used.
//! Text a node sent is kept as data (cut to one printable line); each variant says what failed.

use alloy_primitives::{Address, B256};
use phat_prover_core::{WitnessError, signature::SignatureError};

/// The trie a node's proofs did not cover: the state trie, or an account's storage trie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrieId {
    /// The state (account) trie.
    State,
    /// The storage trie of an account.
    Storage(Address),
}

impl core::fmt::Display for TrieId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::State => f.write_str("the state trie"),
            Self::Storage(a) => write!(f, "the storage trie of {a}"),
        }
    }
}

/// Why a `prestateTracer` answer for one transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceFault {
    /// The node reported an error for the transaction.
    #[error("{0}")]
    Node(String),
    /// The result is not the tracer's shape.
    #[error("unexpected answer")]
    Shape,
    /// Neither a result nor an error.
    #[error("no result")]
    Empty,
}

/// A node failed, or answered something that does not fit the chain it claims.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The endpoint is not a URL.
    #[error("RPC URL {0}: not a URL")]
    Url(String),
    /// Block 0 has no parent.
    #[error("block 0 has no parent: nothing to prove")]
    Genesis,
    /// The node serves another chain than the configured one.
    #[error("the node serves chain {node}, the chain config is for chain {config}")]
    WrongChain {
        /// The configured chain id.
        config: u64,
        /// The node's `eth_chainId`.
        node: u64,
    },
    /// The call failed in transport or was refused by the node (its message, one line).
    #[error("{method}: {message}")]
    Call {
        /// The JSON-RPC method.
        method: &'static str,
        /// What the transport or the node said.
        message: String,
    },
    /// The node has no such block.
    #[error("block {0} not found")]
    BlockNotFound(u64),
    /// The node served another block than asked.
    #[error("asked for block {asked}, got block {got}")]
    WrongBlock {
        /// The block number asked for.
        asked: u64,
        /// The number served.
        got: u64,
    },
    /// `eth_getBlockByNumber` answered a block that does not read as one.
    #[error("block {number}: {message}")]
    BlockShape {
        /// The block.
        number: u64,
        /// What did not fit.
        message: String,
    },
    /// `debug_getRawBlock` returned bytes that are not a block.
    #[error("debug_getRawBlock {number}: {source}")]
    RawBlock {
        /// The block.
        number: u64,
        /// Why it does not decode.
        source: WitnessError,
    },
    /// The block's header does not hash to the hash the node gives it.
    #[error("inconsistent block {number}: its header hashes to {computed}, the node says {claimed}")]
    BlockHash {
        /// The block.
        number: u64,
        /// keccak256 of the header.
        computed: B256,
        /// The node's hash.
        claimed: B256,
    },
    /// The block's transactions do not hash to its header's transactions root.
    #[error("inconsistent block {number}: its transactions hash to {computed}, the header says {header}")]
    TransactionsRoot {
        /// The block.
        number: u64,
        /// The root of the transactions served.
        computed: B256,
        /// The header's root.
        header: B256,
    },
    /// A header whose number or hash is not what the node says.
    #[error("inconsistent header of block {number}: number {got}, hashes to {computed}, the node says {claimed}")]
    Header {
        /// The block asked for.
        number: u64,
        /// The number in the header.
        got: u64,
        /// keccak256 of the header.
        computed: B256,
        /// The node's hash.
        claimed: B256,
    },
    /// A block's parent hash is not the hash of the header served as its parent.
    #[error("inconsistent chain: block {number}'s parent hash is {parent_hash}, block {parent} hashes to {served}", parent = number - 1)]
    Unlinked {
        /// The child block.
        number: u64,
        /// The parent hash in its header.
        parent_hash: B256,
        /// The hash of the header served as block `number - 1`.
        served: B256,
    },
    /// `eth_getProof` answered for other keys than asked.
    #[error("eth_getProof of {address} at block {at}: answer for other keys")]
    ProofForOtherKeys {
        /// The account asked for.
        address: Address,
        /// The block.
        at: u64,
    },
    /// A `prestateTracer` answer was refused.
    #[error("prestateTracer, block {number} transaction {index}: {fault}")]
    Trace {
        /// The block.
        number: u64,
        /// The transaction's index.
        index: usize,
        /// What was wrong.
        fault: TraceFault,
    },
    /// The proofs do not reach a node of a trie.
    #[error("eth_getProof answers do not cover {trie}: node {hash} is missing")]
    ProofMissingNode {
        /// The trie.
        trie: TrieId,
        /// The node.
        hash: B256,
    },
    /// A proof node is not a trie node.
    #[error("malformed trie node {hash} in {trie}")]
    MalformedNode {
        /// The trie.
        trie: TrieId,
        /// The node.
        hash: B256,
    },
    /// An account leaf does not decode.
    #[error("malformed account leaf of {0}")]
    AccountLeaf(Address),
    /// A storage leaf does not decode.
    #[error("malformed storage leaf of {0}")]
    StorageLeaf(Address),
    /// Code that does not hash to the account's code hash.
    #[error("eth_getCode of {address}: code does not hash to its code hash {code_hash}")]
    CodeHash {
        /// The account.
        address: Address,
        /// Its code hash.
        code_hash: B256,
    },
    /// A deletion collapses a branch into a node deeper than a key can be ground for.
    #[error(
        "a deletion collapses a branch into node {hash} at depth {depth}: too deep to reach without \
         debug_executionWitness"
    )]
    SiblingTooDeep {
        /// The sibling node.
        hash: B256,
        /// Its depth in nibbles.
        depth: usize,
    },
    /// The parent proofs of a ground key do not contain the sibling.
    #[error("eth_getProof at the parent does not reach trie node {0}")]
    SiblingUnreached(B256),
    /// The background task grinding a key failed.
    #[error("grinding a trie key failed")]
    Grind,
}

/// A witness or proof file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The block in a witness file does not decode, or is for another chain.
    #[error("block: {0}")]
    Block(#[from] WitnessError),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A JSON text is not what was expected.
    #[error("JSON: {0}")]
    Json(serde_json::Error),
    /// A chain config file is not a geth genesis `config` object.
    #[error("chain config {path}: {source}")]
    ChainConfigJson {
        /// The file.
        path: String,
        /// What the JSON reader said.
        source: serde_json::Error,
    },
    /// The chain config names rules the STF cannot run under.
    #[error("chain config: {0}")]
    ChainConfig(#[from] phat_prover_core::ConfigError),
    /// The rollup config names rules the OP STF cannot run under.
    #[error("rollup config: {0}")]
    RollupConfig(#[from] phat_prover_core::OpConfigError),
    /// A proof file's tag is not the block tag.
    #[error("unknown tag {0}")]
    Tag(B256),
    /// A proof file's digest is not that of its public input.
    #[error("digest {claimed} does not match the public input ({computed})")]
    Digest {
        /// The digest in the file.
        claimed: B256,
        /// The digest of its public input.
        computed: B256,
    },
    /// The proof bytes or the signature are refused.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The proof names another prover than its public input.
    #[error("proof names prover {proof} but the public input names {public_input}")]
    ProverMismatch {
        /// The prover in the proof bytes.
        proof: Address,
        /// The prover in the public input.
        public_input: Address,
    },
    /// Signed by another key than expected.
    #[error("signed by {signer}, expected {expected}")]
    UnexpectedSigner {
        /// Who signed.
        signer: Address,
        /// Who should have.
        expected: Address,
    },
}

/// Why `witness-rpc` could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding or serving the socket failed.
    #[error("witness-rpc on {addr}: {source}")]
    Io {
        /// The address.
        addr: String,
        /// What failed.
        source: std::io::Error,
    },
    /// The node's URL is not usable.
    #[error("witness-rpc: {0}")]
    Node(#[from] FetchError),
}

/// Why a prover outside the contract signed nothing ([`crate::prove`]).
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The witness does not make a stateless input under the chain config.
    #[error("witness: {0}")]
    Input(#[from] FileError),
    /// The STF refused the block.
    #[error("the STF refused the block: {0}")]
    Stf(phat_prover_core::StfError),
    /// The blocks do not make a batch (none, or not consecutive).
    #[error("batch: {0}")]
    Batch(#[from] phat_prover_core::public_input::BatchError),
    /// The OP blocks do not make an output-root proof (not consecutive, or no message passer).
    #[error("OP output: {0}")]
    OpOutput(#[from] phat_prover_core::op::public_input::OpOutputError),
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(#[from] SignatureError),
    /// Asked to refuse a valid block.
    #[error("the block is valid: nothing to refuse")]
    BlockValid,
    /// The STF refused the block for a reason that does not show the block invalid (a missing
    /// witness node, a foreign body, …): no refusal is signed.
    #[error("no refusal warranted: {0}")]
    NoRefusal(phat_prover_core::StfError),
}
