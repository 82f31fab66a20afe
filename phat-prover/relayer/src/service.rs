//! The relayer loop: watch the L2 head; for each new block ask the provers (1-of-N) for its
//! TEE-proof, check it against the L2 node and the L1 domain, settle it on L1, record it, publish
//! it on the feed. A block that cannot be relayed (no prover answers, L1 refuses) stalls the loop
//! on that block — nothing is skipped — and it retries after a back-off. Every few seconds it also
//! has the proof mix of pending proposals drawn (TEE-first proposals need it to become final).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use alloy::{
    eips::BlockNumberOrTag,
    providers::{DynProvider, Provider, ProviderBuilder},
};
use alloy_primitives::B256;
use phat_prover_core::ProofDomain;
use tokio::{sync::watch, time::Instant};

use crate::{
    config::{Config, HeadTag, ProverConfig, secret},
    error::RelayerError,
    feed::Feed,
    l1::{Claim, Settled, Settlement},
    prover::{ClusterProver, LocalProver, ProverPool, TeeProver},
    registry::{RegistryReporter, Reported, SubscriptionWatch},
    store::{BlockRecord, Store},
};

/// Longest wait between retries of a stalled block.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Unacknowledged blocks reported to the registry per round.
const REPORT_BATCH: usize = 32;
/// How often pending proposals' proof-mix draws are looked at (their window is 256 L1 blocks).
const DRAW_INTERVAL: Duration = Duration::from_secs(2);

/// A running relayer for one rollup.
pub struct Relayer {
    l2: DynProvider,
    settlement: Settlement,
    pool: ProverPool,
    store: Arc<Store>,
    feed: Arc<Feed>,
    registry: Option<RegistryReporter>,
    poll: Duration,
    first_block: u64,
    batch_blocks: u64,
    /// Hash of the chain config every proof must be made under.
    chain_config: B256,
    /// Which of the node's blocks is the head.
    head: HeadTag,
}

impl Relayer {
    /// Connects to L1 and L2 and opens the store, with the keys named in the config read from the
    /// environment. `extra` provers (e.g. Phat contracts hosted by the embedding program) join
    /// those of the config.
    pub async fn new(config: &Config, extra: Vec<Arc<dyn TeeProver>>) -> Result<Self, RelayerError> {
        Self::with_key(config, &secret(&config.l1.key_env)?, extra).await
    }

    /// [`Relayer::new`] with the relayer's L1 key given.
    pub async fn with_key(config: &Config, l1_key: &str, extra: Vec<Arc<dyn TeeProver>>) -> Result<Self, RelayerError> {
        config.check()?;
        let l1 = &config.l1;
        let chain = phat_witness::files::read_chain_config(&config.l2.chain_config)
            .map_err(|e| RelayerError::Config(format!("l2.chain_config: {e}")))?;
        let settlement = Settlement::connect(&l1.rpc, l1.settlement, l1_key, l1.propose, config.zk.stand_in).await?;
        if chain.chain_id() != settlement.l2_chain_id {
            return Err(RelayerError::Config(format!(
                "l2.chain_config is for chain {}, the settlement for chain {}",
                chain.chain_id(),
                settlement.l2_chain_id
            )));
        }
        // L1 refuses a proof under other rules: a relayer configured with them could settle nothing.
        if chain.hash() != settlement.chain_config_hash {
            return Err(RelayerError::Config(format!(
                "l2.chain_config has hash {}, L1 expects {} for chain {}",
                chain.hash(),
                settlement.chain_config_hash,
                settlement.l2_chain_id
            )));
        }
        let domain = domain_of(&settlement);
        let registry = config.registry.as_ref().map(RegistryReporter::new);
        let l2_rpc = l2_rpc(config, registry.as_ref(), &domain).await?;
        let mut provers = extra;
        for p in &config.provers {
            match p {
                ProverConfig::Local { name, key_env } => {
                    let key = secret(key_env)?;
                    provers.push(Arc::new(LocalProver::new(name, &l2_rpc, &key, domain, chain.clone())?));
                }
                ProverConfig::PhatCluster { name, url, index, address, witness } => {
                    let l2 = (*witness, l2_rpc.as_str(), chain.clone());
                    provers.push(Arc::new(ClusterProver::new(name, (url, *index), *address, domain, l2)));
                }
                ProverConfig::Service { name, url, address } => {
                    let key = ClusterProver::service_address(url).await?;
                    if let Some(address) = address
                        && *address != key
                    {
                        return Err(RelayerError::Config(format!(
                            "prover {name}: the service at {url} signs with {key}, the config names {address}"
                        )));
                    }
                    provers.push(Arc::new(ClusterProver::service(name, url, key, domain, chain.clone())));
                }
            }
        }
        let pool = ProverPool::new(provers, config.relayer.prover_timeout())?;
        let url = l2_rpc.parse().map_err(|e| RelayerError::Config(format!("L2 rpc url: {e}")))?;
        let l2 = ProviderBuilder::new().connect_http(url).erased();
        let store = Arc::new(Store::open(&config.relayer.db)?);
        let feed = Feed::new(store.clone());
        Ok(Self {
            l2,
            settlement,
            pool,
            store,
            feed,
            registry,
            poll: config.relayer.poll(),
            first_block: config.l2.first_block,
            head: config.l2.head,
            chain_config: chain.hash(),
            batch_blocks: config.relayer.batch_blocks.max(1),
        })
    }

    /// The feed this relayer publishes to.
    pub fn feed(&self) -> Arc<Feed> {
        self.feed.clone()
    }

    /// The L1 settlement it submits to.
    pub fn settlement(&self) -> &Settlement {
        &self.settlement
    }

    /// The domain its proofs must be bound to (the `prover` field left zero).
    pub fn domain(&self) -> ProofDomain {
        domain_of(&self.settlement)
    }

    /// Where to resume: after the last recorded block, and never before what L1 already finalized.
    async fn start_block(&self) -> Result<u64, RelayerError> {
        let recorded = self.store.next_block()?.unwrap_or(self.first_block);
        let (finalized, _, _) = self.settlement.finalized_head().await?;
        Ok(recorded.max(finalized + 1))
    }

    /// Relays blocks until `shutdown` turns true.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), RelayerError> {
        let mut next = self.start_block().await?;
        tracing::info!(next, provers = self.pool.stats().len(), "relayer started");
        // When each L2 block was first seen, and the L1 head then.
        let mut seen: BTreeMap<u64, (Instant, Option<u64>)> = BTreeMap::new();
        let mut backoff = self.poll;
        let mut last_draw: Option<Instant> = None;
        // A followed subscription: nothing is proven while it is paused.
        let mut subscription =
            self.registry.as_ref().filter(|r| r.follows()).map(|r| (r, SubscriptionWatch::default()));
        let mut paused = false;
        {
            let mut status = self.feed.status.write().await;
            status.l2_chain_id = self.settlement.l2_chain_id;
            status.next_block = next;
            status.relayed = self.store.len()?;
            status.provers = self.pool.stats();
        }
        while !*shutdown.borrow() {
            if let Some((registry, watch)) = subscription.as_mut() {
                let now_paused = watch.paused(registry).await;
                if now_paused != paused {
                    paused = now_paused;
                    self.feed.status.write().await.stalled =
                        paused.then(|| format!("block {next}: subscription paused"));
                }
                if paused {
                    head_wait(&mut shutdown, self.poll).await;
                    continue;
                }
            }
            let head = match self.l2_head().await {
                Ok(head) => head,
                Err(e) => {
                    self.stall(next, &RelayerError::L2(e.to_string())).await;
                    head_wait(&mut shutdown, MAX_BACKOFF).await;
                    continue;
                }
            };
            let now = Instant::now();
            if next <= head && !seen.contains_key(&head) {
                let l1_head = self.settlement.block_number().await.ok();
                for b in next..=head {
                    seen.entry(b).or_insert((now, l1_head));
                }
            }
            self.feed.status.write().await.l2_head = head;
            while next <= head && !*shutdown.borrow() {
                // A proposal on L1 that starts at `next` (another proposer's, or ours from an
                // attempt that stopped after proposing) sets the range: a proof must match it
                // exactly. Otherwise, when this relayer proposes, the blocks waiting, up to
                // `batch_blocks`.
                let count = match self.settlement.proposal_from(next).await {
                    Ok(Some(last)) if last > head => break, // L2 has not got that far yet
                    Ok(Some(last)) => last - next + 1,
                    Ok(None) if self.settlement.proposes() => self.batch_blocks.min(head - next + 1),
                    Ok(None) => 1,
                    Err(e) => {
                        self.stall(next, &e).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        break;
                    }
                };
                let first_seen = seen.get(&next).copied().unwrap_or((now, None));
                let batched = match count {
                    1 => None,
                    _ => match self.relay_batch(next, count, first_seen).await {
                        // No prover made a batch proof of these blocks: they go one by one.
                        Err(e @ RelayerError::NoProver { .. }) => {
                            tracing::warn!(block = next, "no batch proof ({e}); relaying block by block");
                            None
                        }
                        other => Some(other),
                    },
                };
                let relayed = match batched {
                    Some(relayed) => relayed,
                    None => self.relay(next, first_seen).await.map(|r| r.map(|(record, f)| (vec![record], f))),
                };
                match relayed {
                    Ok(Some((records, finalized))) => {
                        self.store.put_all(&records, self.registry.is_some())?;
                        for record in &records {
                            self.feed.publish(record, finalized);
                            seen.remove(&record.block);
                        }
                        self.report_pending().await?;
                        let last = records.last().map_or(next, |r| r.block);
                        tracing::info!(
                            blocks = format!("{next}..={last}"),
                            prover = records[0].prover,
                            prove_ms = records[0].prove_ms,
                            latency_ms = records[0].latency_ms,
                            gas = records[0].l1.gas,
                            "relayed"
                        );
                        next = last + 1;
                        backoff = self.poll;
                        let mut status = self.feed.status.write().await;
                        status.next_block = next;
                        status.finalized_block = finalized;
                        status.relayed += records.len() as u64;
                        status.stalled = None;
                        status.provers = self.pool.stats();
                    }
                    Ok(None) => break, // not proposed on L1 yet; the proposer is not us
                    Err(e) => {
                        if matches!(e, RelayerError::NoProver { .. })
                            && let Err(r) = self.refuse(next).await
                        {
                            tracing::debug!(block = next, "no TEE refusal: {r}");
                        }
                        self.stall(next, &e).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        break;
                    }
                }
            }
            self.report_pending().await?;
            if last_draw.is_none_or(|t| t.elapsed() >= DRAW_INTERVAL) {
                last_draw = Some(Instant::now());
                // A failed draw is retried next round; it never stops relaying.
                if let Err(e) = self.settlement.draw_pending().await {
                    tracing::warn!("proof-mix draw: {e}");
                }
            }
            head_wait(&mut shutdown, if next <= head { backoff } else { self.poll }).await;
        }
        tracing::info!(next, "relayer stopped");
        Ok(())
    }

    /// Reports settled blocks the registry has not acknowledged yet, oldest first, if a registry
    /// is configured. The store keeps a block until the registry credits it (or says it already
    /// did), so a registry that is down or a relayer restart delays a credit but never loses it.
    /// A failure does not stop relaying (L1 settlement does not depend on it): it is logged,
    /// shown in the status, and retried with the next block or idle round.
    async fn report_pending(&self) -> Result<(), RelayerError> {
        let Some(registry) = &self.registry else { return Ok(()) };
        for block in self.store.unreported(REPORT_BATCH)? {
            let Some(record) = self.store.get(block)? else {
                self.store.mark_reported(block)?;
                continue;
            };
            let result = registry.report(&record, &self.domain()).await;
            let mut status = self.feed.status.write().await;
            match result {
                Ok(reported) => {
                    tracing::debug!(block, ?reported, "registry acknowledged");
                    if matches!(reported, Reported::Credited(_)) {
                        status.registry_credited += 1;
                    }
                    self.store.mark_reported(block)?;
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    status.registry_error = Some(e.to_string());
                    break;
                }
            }
        }
        Ok(())
    }

    /// The node's head block by the configured tag (`l2.head`: safe, finalized, or in a devnet
    /// latest): the relayer proves and proposes nothing after it. A node with no such block yet
    /// (no safe block derived so far) has head 0.
    async fn l2_head(&self) -> Result<u64, alloy::transports::TransportError> {
        Ok(self.l2.get_block_by_number(self.head.tag()).await?.map_or(0, |b| b.header.number))
    }

    /// When no prover proves block `block` and L1 has a pending single-block proposal of it, asks
    /// the provers for a TEE refusal. One a prover signed (it does only when the block itself is
    /// invalid: never for a witness it could not get or check) that names the proposed block is
    /// submitted: the proposal is contested and the rollup paused until governance resolves it.
    async fn refuse(&self, block: u64) -> Result<(), RelayerError> {
        if self.settlement.proposal_from(block).await? != Some(block) {
            return Ok(());
        }
        let answer = self.pool.refuse(block, (&self.domain(), self.chain_config)).await?;
        let r = &answer.proof;
        if let Some((proposal, tx)) = self.settlement.refuse(r).await? {
            tracing::error!(
                block,
                proposal,
                prover = answer.prover,
                reason = r.reason,
                detail = r.detail,
                %tx,
                "TEE refusal submitted: the proposal is contested and the rollup paused until governance resolves it"
            );
        }
        Ok(())
    }

    async fn stall(&self, block: u64, e: &RelayerError) {
        tracing::warn!(block, "stalled: {e}");
        let mut status = self.feed.status.write().await;
        status.stalled = Some(format!("block {block}: {e}"));
        status.provers = self.pool.stats();
    }

    /// Proves and settles one block; returns its record and the finalized L2 block.
    async fn relay(
        &self,
        block: u64,
        (seen, seen_l1): (Instant, Option<u64>),
    ) -> Result<Option<(BlockRecord, u64)>, RelayerError> {
        let answer = self.pool.prove(block).await?;
        let p = &answer.proof.public_input;
        // The proof must speak of the block the L2 node has, for the L1 that will check it.
        let node = self.node_header(block).await?;
        let s = &self.settlement;
        let mismatch = |reason: String| Err(RelayerError::Mismatch { block, reason });
        if node.hash != p.block_hash {
            return mismatch(format!("proof of block hash {}, node has {}", p.block_hash, node.hash));
        }
        if (p.l1_chain_id, p.verifier, p.l2_chain_id) != (s.l1_chain_id, s.tee_verifier, s.l2_chain_id) {
            return mismatch(format!(
                "proof for L1 {} verifier {} L2 {}, settlement is L1 {} verifier {} L2 {}",
                p.l1_chain_id, p.verifier, p.l2_chain_id, s.l1_chain_id, s.tee_verifier, s.l2_chain_id
            ));
        }
        if p.chain_config_hash != self.chain_config {
            return mismatch(format!(
                "proof under chain config {}, the relayer's is {}",
                p.chain_config_hash, self.chain_config
            ));
        }
        let Some(settled) = s.settle(&Claim::block(&answer.proof)).await? else {
            return Ok(None);
        };
        let (finalized, _, _) = s.finalized_head().await?;
        let record = BlockRecord {
            block,
            prover: answer.prover,
            prove_ms: answer.latency.as_millis() as u64,
            latency_ms: seen.elapsed().as_millis() as u64,
            latency_l1_blocks: settled.l1_block.zip(seen_l1).map(|(done, then)| done.saturating_sub(then)),
            proof: Some(answer.proof),
            batch: None,
            l1: settled,
        };
        Ok(Some((record, finalized)))
    }

    /// The L2 node's header of `block` (an error if it has none: a reorg, or a node gone back).
    async fn node_header(&self, block: u64) -> Result<alloy::rpc::types::Header, RelayerError> {
        self.l2
            .get_block_by_number(BlockNumberOrTag::Number(block))
            .await
            .map_err(|e| RelayerError::L2(e.to_string()))?
            .map(|b| b.header)
            .ok_or_else(|| RelayerError::L2(format!("block {block} vanished (reorg?)")))
    }

    /// Proves blocks `first .. first + count` with one batch TEE-proof and settles them as one
    /// proposal; returns a record per block (sharing the proof and the L1 transactions, the gas
    /// split evenly) and the finalized L2 block.
    async fn relay_batch(
        &self,
        first: u64,
        count: u64,
        (seen, seen_l1): (Instant, Option<u64>),
    ) -> Result<Option<(Vec<BlockRecord>, u64)>, RelayerError> {
        let s = &self.settlement;
        let answer = self.pool.prove_batch(first, count, (&domain_of(s), self.chain_config)).await?;
        let b = &answer.proof;
        let last = first + count - 1;
        // The batch must speak of the blocks the L2 node has: its ends are checked against the
        // node, the blocks between by the hash chain the prover signed (and L1 re-checks nothing
        // less: the signature covers the range's ends and the commitment).
        let (head, tail) = (self.node_header(first).await?, self.node_header(last).await?);
        if (head.parent_hash, tail.hash, tail.state_root)
            != (b.first_parent_hash, b.last_block_hash, b.last_post_state_root)
        {
            return Err(RelayerError::Mismatch {
                block: last,
                reason: format!("batch proof of {first}..={last} does not match the node's blocks"),
            });
        }
        let Some(settled) = s.settle(&Claim::batch(b)).await? else {
            return Ok(None);
        };
        let (finalized, _, _) = s.finalized_head().await?;
        let records = (first..=last)
            .map(|block| BlockRecord {
                block,
                prover: answer.prover.clone(),
                prove_ms: answer.latency.as_millis() as u64,
                latency_ms: seen.elapsed().as_millis() as u64,
                latency_l1_blocks: settled.l1_block.zip(seen_l1).map(|(done, then)| done.saturating_sub(then)),
                proof: None,
                batch: Some(b.clone()),
                l1: Settled { gas: settled.gas / count, ..settled.clone() },
            })
            .collect();
        Ok(Some((records, finalized)))
    }
}

/// The L2 endpoint: `l2.rpc`, or the subscription's when so configured. A followed subscription
/// must be for the settlement's domain (`domain`): its L1, its verifier, its L2.
async fn l2_rpc(
    config: &Config,
    registry: Option<&RegistryReporter>,
    domain: &ProofDomain,
) -> Result<String, RelayerError> {
    let from_subscription = config.registry.as_ref().is_some_and(|r| r.l2_rpc_from_subscription);
    let rpc = match registry.filter(|r| r.follows()) {
        Some(registry) => {
            let subscription = registry.subscription().await?;
            subscription.check(domain)?;
            if from_subscription { subscription.rpc } else { config.l2.rpc.clone() }
        }
        None if from_subscription => {
            return Err(RelayerError::Config(
                "registry.l2_rpc_from_subscription needs registry.follow_subscription".into(),
            ));
        }
        None => config.l2.rpc.clone(),
    };
    if rpc.is_empty() {
        return Err(RelayerError::Config("l2.rpc is not set".into()));
    }
    Ok(rpc)
}

fn domain_of(s: &Settlement) -> ProofDomain {
    ProofDomain {
        l1_chain_id: s.l1_chain_id,
        verifier: s.tee_verifier,
        l2_chain_id: s.l2_chain_id,
        prover: Default::default(),
    }
}

/// Sleeps `d` or until shutdown is signalled.
async fn head_wait(shutdown: &mut watch::Receiver<bool>, d: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.changed() => {}
    }
}
