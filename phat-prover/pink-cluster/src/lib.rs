//! A local pink cluster: the release wasm of `phat-prover` and `phat-registry` in the real pink
//! runtime, in-process (pink-drink). The Phala parachain is gone, so this is where the contracts
//! run outside a test: [`Cluster`] deploys and drives them, `phat-cluster` serves them over HTTP
//! (what the relayer and the devnet talk to), and `tests/` checks them on real Ethereum blocks.
//!
//! Queries run as pink queries (storage writes discarded, HTTP and signing allowed), transactions
//! as transactions (executed in order, no HTTP, no signing of proofs): the contracts see the same
//! two contexts as on a worker.

use drink::{runtime::AccountIdFor, session::Session};
use ink::{ToAccountId, codegen::TraitCallBuilder, primitives::AccountId};
use phat_prover_contract::{Config, Handover, PhatProverRef, Proved, ProvedBatch, Refusal};
use phat_prover_core::ChainConfig;
use phat_registry::{PhatRegistryRef, PoolId, ProofMix, ProvenInput, ProverId, RollupId, Subscription};
use pink_drink::{Callable, DeployBundle, PinkRuntime};

pub use phat_prover_contract::Error as ProverError;
pub use phat_registry::Error as RegistryError;

/// Defines `__rust_probestack`, which wasmer_vm 3.3 (pink-drink's SideVM host) calls and Rust
/// ≥ 1.89 no longer provides: the x86_64 stack probe, touching each 4 KiB page of a frame of
/// `%rax` bytes. Invoke once in each binary's root (a symbol in a library object would not be
/// pulled in by the linker before wasmer_vm asks for it).
#[macro_export]
macro_rules! probestack {
    () => {
        #[cfg(target_arch = "x86_64")]
        core::arch::global_asm!(
            ".globl __rust_probestack",
            "__rust_probestack:",
            "push %rbp",
            "mov %rsp, %rbp",
            "mov %rax, %r11",
            "cmp $0x1000, %r11",
            "jna 3f",
            "2:",
            "sub $0x1000, %rsp",
            "test %rsp, 8(%rsp)",
            "sub $0x1000, %r11",
            "cmp $0x1000, %r11",
            "ja 2b",
            "3:",
            "sub %r11, %rsp",
            "test %rsp, 8(%rsp)",
            "add %rax, %rsp",
            "leave",
            "ret",
            options(att_syntax)
        );
    };
}

/// The runtime, or a contract, failed (as opposed to a contract refusing with its own error).
#[derive(Debug)]
pub struct RuntimeError(pub String);

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuntimeError {}

impl From<pink_drink::Error> for RuntimeError {
    fn from(e: pink_drink::Error) -> Self {
        Self(format!("{e:?}"))
    }
}

pub type Result<T> = std::result::Result<T, RuntimeError>;

/// Accounts of the local cluster (pink-drink's default actor holds the genesis balance).
pub mod accounts {
    /// Deploys the registry and governs it.
    pub const GOVERNANCE: [u8; 32] = [1; 32];
    /// Reports accepted proofs to the registry.
    pub const RELAYER: [u8; 32] = [8; 32];
    /// Owner of worker pool `i` and of the prover contract it runs.
    pub fn worker_owner(i: usize) -> [u8; 32] {
        let mut a = [0x20; 32];
        a[31] = i as u8;
        a
    }
    /// Staker `i`.
    pub fn staker(i: usize) -> [u8; 32] {
        let mut a = [0x40; 32];
        a[31] = i as u8;
        a
    }
}

/// One prover contract and what it reports about itself.
#[derive(Debug, Clone)]
pub struct ProverInfo {
    pub contract: [u8; 32],
    pub address: [u8; 20],
    /// The L1 account its `relay` sends from.
    pub relay_address: [u8; 20],
    pub key_epoch: u32,
    pub registry_id: Option<ProverId>,
}

/// The contracts of one local cluster, in one pink runtime.
pub struct Cluster {
    session: Session<PinkRuntime>,
    /// The prover contracts and the account that deployed (owns) each.
    provers: Vec<(PhatProverRef, [u8; 32])>,
    registry: Option<PhatRegistryRef>,
}

impl Cluster {
    pub fn new() -> Result<Self> {
        let session = Session::<PinkRuntime>::new().map_err(|e| RuntimeError(format!("session: {e:?}")))?;
        Ok(Self { session, provers: Vec::new(), registry: None })
    }

    /// The pink-drink session, for what this type does not wrap.
    pub fn session(&mut self) -> &mut Session<PinkRuntime> {
        &mut self.session
    }

    /// The account calls are made from by default (the one the HTTP service relays as).
    pub fn actor(&self) -> ink::primitives::AccountId {
        let actor: [u8; 32] = *self.session.get_actor().as_ref();
        actor.into()
    }

    /// Runs `f` with `who` as the calling account.
    pub fn as_actor<T>(&mut self, who: [u8; 32], f: impl FnOnce(&mut Self) -> T) -> T {
        let previous = self.session.set_actor(AccountIdFor::<PinkRuntime>::new(who));
        let out = f(self);
        self.session.set_actor(previous);
        out
    }

    /// Gives `who` `amount` of the cluster's currency.
    pub fn mint(&mut self, who: [u8; 32], amount: u128) -> Result<()> {
        self.session
            .sandbox()
            .mint_into(AccountIdFor::<PinkRuntime>::new(who), amount)
            .map(|_| ())
            .map_err(|e| RuntimeError(format!("mint: {e:?}")))
    }

    pub fn balance(&mut self, who: [u8; 32]) -> u128 {
        self.session.sandbox().free_balance(&AccountIdFor::<PinkRuntime>::new(who))
    }

    /// Uploads and instantiates a `phat-prover` (as the current actor, who becomes its owner)
    /// and configures it. Distinct salts give distinct contracts, hence distinct key derivations.
    pub fn deploy_prover(&mut self, wasm: &[u8], salt: &[u8], config: Config) -> Result<usize> {
        let mut prover: PhatProverRef =
            PhatProverRef::new().salt_bytes(salt.to_vec()).deploy_wasm(wasm, &mut self.session)?;
        prover
            .call_mut()
            .configure(config)
            .submit_tx(&mut self.session)?
            .map_err(|e| RuntimeError(format!("configure: {e:?}")))?;
        let owner = *pink_drink::SessionExt::actor(&mut self.session).as_ref();
        self.provers.push((prover, owner));
        Ok(self.provers.len() - 1)
    }

    pub fn prover_count(&self) -> usize {
        self.provers.len()
    }

    /// Prover `i`, its owner, and the session to call it in.
    fn prover(&mut self, i: usize) -> Result<(&mut PhatProverRef, [u8; 32], &mut Session<PinkRuntime>)> {
        match self.provers.get_mut(i) {
            Some((prover, owner)) => Ok((prover, *owner, &mut self.session)),
            None => Err(RuntimeError(format!("no prover {i}"))),
        }
    }

    /// Contract address, current key address and epoch of prover `i` (queries).
    pub fn prover_info(&mut self, i: usize) -> Result<ProverInfo> {
        let (prover, _, session) = self.prover(i)?;
        let contract = *ToAccountId::<pink::PinkEnvironment>::to_account_id(prover).as_ref();
        let address = prover
            .call()
            .prover_address()
            .query(session)?
            .map_err(|e| RuntimeError(format!("prover_address: {e:?}")))?;
        let key_epoch = prover.call().key_epoch().query(session)?;
        let relay_address =
            prover.call().relay_address().query(session)?.map_err(|e| RuntimeError(format!("relay_address: {e:?}")))?;
        let session = &mut self.session;
        let registry_id = match self.registry.as_mut() {
            Some(r) => r.call().prover_by_address(address).query(session)?,
            None => None,
        };
        Ok(ProverInfo { contract, address, relay_address, key_epoch, registry_id })
    }

    /// Query: prover `i` proves the block of a witness bundle. `Ok(Err(_))` is the contract's
    /// own refusal (nothing signed).
    pub fn prove(&mut self, i: usize, bundle: Vec<u8>) -> Result<std::result::Result<Proved, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().prove(bundle).query(session)?)
    }

    /// Query: prover `i` fetches block `number` and its witness from its L2 RPC (pink HTTP) and
    /// proves it.
    pub fn prove_block(&mut self, i: usize, number: u64) -> Result<std::result::Result<Proved, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().prove_block(number).query(session)?)
    }

    /// Query: prover `i` executes the block of `bundle` and signs a refusal if the block is invalid.
    pub fn refuse(&mut self, i: usize, bundle: Vec<u8>) -> Result<std::result::Result<Refusal, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().refuse(bundle).query(session)?)
    }

    /// Query: [`Self::refuse`] of block `number`, fetched by the contract from its L2 RPC.
    pub fn refuse_block(&mut self, i: usize, number: u64) -> Result<std::result::Result<Refusal, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().refuse_block(number).query(session)?)
    }

    /// Query: prover `i` fetches blocks `first .. first + count` and signs one batch proof.
    pub fn prove_batch(
        &mut self,
        i: usize,
        first: u64,
        count: u64,
    ) -> Result<std::result::Result<ProvedBatch, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().prove_batch(first, count).query(session)?)
    }

    /// Queries: prover `i` proves block `number` (`prove_block`) and relays the proof to L1
    /// (`relay`); the proof and the L1 transaction hash.
    pub fn relay_block(
        &mut self,
        i: usize,
        number: u64,
    ) -> Result<std::result::Result<(Proved, [u8; 32]), ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        let proved = match prover.call().prove_block(number).query(session)? {
            Ok(proved) => proved,
            Err(e) => return Ok(Err(e)),
        };
        Ok(prover.call().relay(proved.clone()).query(session)?.map(|hash| (proved, hash)))
    }

    /// Query: prover `i`'s previous key signs the handover to its current one (after a rotation).
    pub fn handover(&mut self, i: usize) -> Result<std::result::Result<Handover, ProverError>> {
        let (prover, _, session) = self.prover(i)?;
        Ok(prover.call().handover().query(session)?)
    }

    /// Transaction, as prover `i`'s owner: moves its key to the next epoch.
    pub fn rotate_key(&mut self, i: usize) -> Result<()> {
        let owner = self.prover(i)?.1;
        self.as_actor(owner, |c| {
            let (prover, _, session) = c.prover(i)?;
            prover.call_mut().rotate_key().submit_tx(session)?.map_err(|e| RuntimeError(format!("rotate_key: {e:?}")))
        })
    }

    /// Deploys `phat-registry` as [`accounts::GOVERNANCE`] and appoints [`accounts::RELAYER`].
    pub fn deploy_registry(&mut self, wasm: &[u8]) -> Result<()> {
        self.as_actor(accounts::GOVERNANCE, |c| {
            let mut registry: PhatRegistryRef =
                PhatRegistryRef::new().salt_bytes(b"registry".to_vec()).deploy_wasm(wasm, &mut c.session)?;
            registry
                .call_mut()
                .set_relayer(accounts::RELAYER.into(), true)
                .submit_tx(&mut c.session)?
                .map_err(|e| RuntimeError(format!("set_relayer: {e:?}")))?;
            c.registry = Some(registry);
            Ok(())
        })
    }

    /// The registry, once deployed.
    pub fn registry(&mut self) -> Result<(&mut PhatRegistryRef, &mut Session<PinkRuntime>)> {
        match self.registry.as_mut() {
            Some(r) => Ok((r, &mut self.session)),
            None => Err(RuntimeError("no registry deployed".into())),
        }
    }

    /// Transaction, as prover `i`'s owner: opens a pool for a worker and registers prover `i` in it.
    pub fn open_pool(&mut self, worker: [u8; 32], commission_ppm: u32, i: usize) -> Result<PoolId> {
        let (prover, owner, _) = self.prover(i)?;
        let contract: AccountId = ToAccountId::<pink::PinkEnvironment>::to_account_id(prover);
        self.as_actor(owner, |c| {
            let (registry, session) = c.registry()?;
            let pool = registry
                .call_mut()
                .create_pool(worker, commission_ppm)
                .submit_tx(session)?
                .map_err(|e| RuntimeError(format!("create_pool: {e:?}")))?;
            registry
                .call_mut()
                .register_prover(pool, contract)
                .submit_tx(session)?
                .map_err(|e| RuntimeError(format!("register_prover: {e:?}")))?;
            Ok(pool)
        })
    }

    /// Transaction (as `staker`): stakes `amount` into `pool`.
    pub fn stake(&mut self, staker: [u8; 32], pool: PoolId, amount: u128) -> Result<()> {
        self.as_actor(staker, |c| {
            let (registry, session) = c.registry()?;
            registry
                .call_mut()
                .stake(pool)
                .transferred_value(amount)
                .submit_tx(session)?
                .map_err(|e| RuntimeError(format!("stake: {e:?}")))
        })
    }

    /// Transaction (as `admin`): subscribes a rollup with `deposit`.
    pub fn subscribe(&mut self, admin: [u8; 32], sub: Subscription, deposit: u128) -> Result<RollupId> {
        self.as_actor(admin, |c| {
            let (registry, session) = c.registry()?;
            registry
                .call_mut()
                .subscribe(sub)
                .transferred_value(deposit)
                .submit_tx(session)?
                .map_err(|e| RuntimeError(format!("subscribe: {e:?}")))
        })
    }

    /// Transaction (as [`accounts::RELAYER`]): credits `block`, proven by the TEE-proof `proof`
    /// (85 bytes) over `input`, which L1 accepted in `l1_tx`. `Ok(Err(_))` is the registry's own
    /// refusal (e.g. already credited, a bad signature, a paused rollup).
    pub fn report_proof(
        &mut self,
        rollup: RollupId,
        block: u64,
        (input, proof): (ProvenInput, [u8; 85]),
        l1_tx: [u8; 32],
    ) -> Result<std::result::Result<u128, RegistryError>> {
        self.as_actor(accounts::RELAYER, |c| {
            let (registry, session) = c.registry()?;
            Ok(registry.call_mut().report_proof(rollup, block, input, proof, l1_tx).submit_tx(session)?)
        })
    }
}

/// The devnet's registry set-up: one pool per prover (owned by the prover's owner, 10 % commission)
/// with two stakers each, and the rollup subscribed with a deposit for `blocks` proofs.
pub struct Economy {
    pub fee_per_block: u128,
    pub stake: u128,
}

impl Default for Economy {
    fn default() -> Self {
        Self { fee_per_block: 1_000_000_000_000, stake: 1_000_000_000_000_000 }
    }
}

impl Economy {
    /// Funds the accounts, opens the pools, stakes, subscribes the rollup; returns its id.
    pub fn set_up(&self, cluster: &mut Cluster, sub_template: Subscription, blocks: u128) -> Result<RollupId> {
        let deposit = self.fee_per_block.checked_mul(blocks).ok_or_else(|| RuntimeError("deposit overflows".into()))?;
        for i in 0..cluster.prover_count() {
            let mut worker = [0xee; 32];
            worker[31] = i as u8;
            let pool = cluster.open_pool(worker, 100_000, i)?;
            for s in 0..2 {
                let staker = accounts::staker(i * 2 + s);
                cluster.mint(staker, self.stake * 2)?;
                cluster.stake(staker, pool, self.stake)?;
            }
        }
        cluster.mint(accounts::GOVERNANCE, deposit)?;
        cluster.subscribe(
            accounts::GOVERNANCE,
            Subscription { fee_per_block: self.fee_per_block, ..sub_template },
            deposit,
        )
    }
}

/// A subscription for the devnet's L2 (the registry keys rollups by chain id; the rules the
/// provers execute under are their own configuration's `chain`), whose proofs are for the
/// `TeeVerifier` `l1_verifier` on L1 chain `l1_chain_id`.
pub fn subscription(chain: &ChainConfig, rpc: &str, (l1_chain_id, l1_verifier): (u64, [u8; 20])) -> Subscription {
    Subscription {
        l2_chain_id: chain.chain_id(),
        rpc: rpc.into(),
        l1_chain_id,
        l1_verifier,
        policy: ProofMix { zk_share_bps: 10_000, tee_finality_delay_s: 0 },
        fee_per_block: 0,
    }
}

/// A chain config from its canonical encoding in hex (`0x` optional), as `phat-prover chain-config`
/// prints it (`canonical`) and `phat-prover bundle` writes it in its index (`chain_config`).
pub fn chain_config_from_hex(hex_config: &str) -> std::result::Result<ChainConfig, String> {
    let trimmed = hex_config.trim();
    let bytes = hex::decode(trimmed.strip_prefix("0x").unwrap_or(trimmed))
        .map_err(|e| format!("not hex ({e}): want the canonical encoding `phat-prover chain-config FILE` prints"))?;
    ChainConfig::from_canonical(&bytes).map_err(|e| {
        format!("not a chain config ({e}): want the canonical encoding `phat-prover chain-config FILE` prints")
    })
}
