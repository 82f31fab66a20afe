//! The relayer of an OP Stack chain: proves the L2 output roots after the last one L1 holds and
//! proposes them to the chain's `OpOutputOracle` (what an OP dispute or validity game reads, or
//! calls `verify` on).
//!
//! Same rules as the Ethereum relayer, through the same [`ProverPool`]: any one of N provers
//! suffices (each call timed out, the next prover asked, the start rotating), an answer is passed
//! on only if it is for the range asked, under the rollup config L1 expects, and signed by the
//! prover asked; nothing past the L2 head tag is proven.

use std::{sync::Arc, time::Duration};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use futures_util::future::BoxFuture;
use phat_l1::{OpOutputClaim, OpOutputOracle};
use phat_prover_core::{LocalSigner, ProofDomain, Signer, op::OpChainConfig};
use phat_witness::{OpOutputProof, op::fetch_op_witness, prove::prove_op_output};

use crate::{
    config::HeadTag,
    error::RelayerError,
    prover::{Answer, PoolMember, ProverPool},
};

/// What an OP prover returns for blocks `first..=last`.
pub type OpOutputFuture<'a> = BoxFuture<'a, Result<OpOutputProof, RelayerError>>;

/// A prover of OP output roots.
pub trait OpOutputProver: Send + Sync {
    /// A name for logs.
    fn name(&self) -> &str;
    /// The address its proofs must recover to.
    fn address(&self) -> Address;
    /// One TEE-proof of the output-root transition over L2 blocks `first..=last`.
    fn prove_op_output(&self, first: u64, last: u64) -> OpOutputFuture<'_>;
}

impl PoolMember for dyn OpOutputProver {
    fn id(&self) -> (&str, Address) {
        (self.name(), self.address())
    }
}

impl ProverPool<dyn OpOutputProver> {
    /// Asks the provers in turn (from a rotating start, each call timed out) until one returns a
    /// proof of the output-root transition over `first..=last`, under `domain` and the rollup config
    /// with hash `rollup_config`, signed by it.
    pub async fn prove_op_output(
        &self,
        first: u64,
        last: u64,
        (domain, rollup_config): (&ProofDomain, B256),
    ) -> Result<Answer<OpOutputProof>, RelayerError> {
        self.ask(
            last,
            |p| p.prove_op_output(first, last),
            |proof, p| proof.check((domain, rollup_config), first, last, p.address()),
        )
        .await
    }
}

/// The OP STF in this process with a key from the configuration: a development prover, not a TEE.
/// It fetches the witnesses from the L2 node.
pub struct LocalOpProver {
    name: String,
    rpc: String,
    signer: LocalSigner,
    domain: ProofDomain,
    chain: Arc<OpChainConfig>,
}

impl LocalOpProver {
    /// A prover reading `rpc`, executing under `chain`, signing with `secret` for `domain` (its
    /// `prover` set to the key's address).
    pub fn new(
        name: &str,
        rpc: &str,
        secret: &str,
        mut domain: ProofDomain,
        chain: OpChainConfig,
    ) -> Result<Self, RelayerError> {
        let signer = dev_signer(name, secret)?;
        domain.prover = signer.address();
        Ok(Self { name: name.into(), rpc: rpc.into(), signer, domain, chain: Arc::new(chain) })
    }
}

impl OpOutputProver for LocalOpProver {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> Address {
        self.signer.address()
    }

    fn prove_op_output(&self, first: u64, last: u64) -> OpOutputFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let mut files = Vec::new();
            for number in first..=last {
                files.push(fetch_op_witness(&self.rpc, number, &self.chain).await.map_err(|e| fail(e.to_string()))?);
            }
            let (signer, domain, chain) = (self.signer.clone(), self.domain, self.chain.clone());
            tokio::task::spawn_blocking(move || prove_op_output(&chain, &domain, &signer, &files))
                .await
                .map_err(|e| fail(e.to_string()))?
                .map_err(|e| fail(e.to_string()))
        })
    }
}

/// The L1 claim of an OP output-root proof (`OpOutputOracle.propose`, `TeeVerifier.verifyOpOutput`).
pub fn claim_of(proof: &OpOutputProof) -> OpOutputClaim {
    OpOutputClaim {
        l1OriginHash: proof.l1_origin_hash,
        l1OriginNumber: proof.l1_origin_number,
        startingBlockNumber: proof.starting_block,
        startingOutputRoot: proof.starting_output_root,
        endingBlockNumber: proof.ending_block,
        endingOutputRoot: proof.ending_output_root,
        blocksCommitment: proof.blocks_commitment,
    }
}

/// A development signer from a hex secret in the configuration (the prover's `name` in errors).
pub(crate) fn dev_signer(name: &str, secret: &str) -> Result<LocalSigner, RelayerError> {
    let secret = secret.parse().map_err(|e| RelayerError::Config(format!("prover {name} key: {e}")))?;
    LocalSigner::from_bytes(&secret).map_err(|e| RelayerError::Config(format!("prover {name}: {e}")))
}

/// Where the OP relayer reads and writes.
#[derive(Debug, Clone)]
pub struct OpRelayerConfig {
    /// The OP L2 node.
    pub l2_rpc: String,
    /// How far to prove: `safe` (derived from L1 batches) in production; `latest` only on a devnet.
    pub head: HeadTag,
    /// The L1 node.
    pub l1_rpc: String,
    /// The chain's `OpOutputOracle`.
    pub oracle: Address,
    /// The L1 key that sends proposals.
    pub l1_key: String,
    /// Most blocks in one proof.
    pub max_blocks: u64,
    /// Each prover's time for one proof.
    pub prover_timeout: Duration,
}

/// One proposal the relayer made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    /// The last block of the transition (its output root is now on L1).
    pub block: u64,
    /// Its output root.
    pub output_root: B256,
    /// Who proved it.
    pub prover: String,
    /// The L1 transaction.
    pub tx: B256,
}

/// Proves and proposes OP output roots, 1-of-N.
pub struct OpOutputRelayer {
    config: OpRelayerConfig,
    pool: ProverPool<dyn OpOutputProver>,
    l1: DynProvider,
    l2: DynProvider,
    domain: ProofDomain,
    rollup_config: B256,
}

fn l1(e: impl std::fmt::Display) -> RelayerError {
    RelayerError::L1(e.to_string())
}

impl OpOutputRelayer {
    /// Connects to L1 and reads the oracle's chain and rollup config; the provers' `chain` must be
    /// the one the oracle expects (checked here, before anything is proven).
    pub async fn connect(
        config: OpRelayerConfig,
        chain: &OpChainConfig,
        provers: Vec<Arc<dyn OpOutputProver>>,
    ) -> Result<Self, RelayerError> {
        let pool = ProverPool::of(provers, config.prover_timeout)?;
        if config.head == HeadTag::Latest {
            tracing::warn!("proving up to the latest L2 block: a devnet setting (the safe head is derived from L1)");
        }
        let signer: PrivateKeySigner =
            config.l1_key.parse().map_err(|e| RelayerError::Config(format!("L1 key: {e}")))?;
        let url = config.l1_rpc.parse().map_err(|e| RelayerError::Config(format!("L1 rpc url: {e}")))?;
        let l1_provider = ProviderBuilder::new()
            .with_simple_nonce_management()
            .wallet(EthereumWallet::from(signer))
            .connect_http(url)
            .erased();
        let l2_url = config.l2_rpc.parse().map_err(|e| RelayerError::Config(format!("L2 rpc url: {e}")))?;
        let l2_provider = ProviderBuilder::new().connect_http(l2_url).erased();
        let oracle = OpOutputOracle::new(config.oracle, l1_provider.clone());
        let rollup_config = oracle.rollupConfigHash().call().await.map_err(l1)?;
        if rollup_config != chain.hash() {
            return Err(RelayerError::Config(format!(
                "the oracle expects rollup config {rollup_config}, the provers run {}",
                chain.hash()
            )));
        }
        let l2_chain_id: u64 = oracle.l2ChainId().call().await.map_err(l1)?.saturating_to();
        if l2_chain_id != chain.chain_id() {
            return Err(RelayerError::Config(format!(
                "the oracle is for chain {l2_chain_id}, not {}",
                chain.chain_id()
            )));
        }
        let domain = ProofDomain {
            l1_chain_id: l1_provider.get_chain_id().await.map_err(l1)?,
            verifier: oracle.tee().call().await.map_err(l1)?,
            l2_chain_id,
            prover: Address::ZERO,
        };
        Ok(Self { config, pool, l1: l1_provider, l2: l2_provider, domain, rollup_config })
    }

    /// The domain the provers must sign for (its prover left zero).
    pub fn domain(&self) -> ProofDomain {
        self.domain
    }

    /// Proves the blocks after the oracle's latest output, up to the head (at most `max_blocks`),
    /// and proposes them. `None` when there is nothing new.
    pub async fn step(&self) -> Result<Option<Proposed>, RelayerError> {
        let oracle = OpOutputOracle::new(self.config.oracle, &self.l1);
        let latest = oracle.latestBlockNumber().call().await.map_err(l1)?;
        let head = self
            .l2
            .get_block_by_number(self.config.head.tag())
            .await
            .map_err(|e| RelayerError::L2(e.to_string()))?
            .map_or(0, |b| b.header.number);
        if head <= latest {
            return Ok(None);
        }
        let (first, last) = (latest + 1, head.min(latest.saturating_add(self.config.max_blocks.max(1))));
        let Answer { proof, prover, .. } =
            self.pool.prove_op_output(first, last, (&self.domain, self.rollup_config)).await?;
        let receipt = oracle
            .propose(claim_of(&proof), proof.proof.clone())
            .send()
            .await
            .map_err(l1)?
            .with_timeout(Some(Duration::from_secs(120)))
            .get_receipt()
            .await
            .map_err(l1)?;
        if !receipt.status() {
            return Err(RelayerError::L1(format!("proposal {} reverted", receipt.transaction_hash)));
        }
        tracing::info!(first, last, output_root = %proof.ending_output_root, prover, "OP output proposed");
        Ok(Some(Proposed { block: last, output_root: proof.ending_output_root, prover, tx: receipt.transaction_hash }))
    }
}
