//! The devnet's L1: contracts deployed with the same forge script and config file as a real
//! deployment (`deploy/l1.toml`, through `evm-contracts/script/DeployDevnet.s.sol`, which adds the
//! stand-ins for the rollup's zk verifier and PHA), and provers registered through the
//! attestation-gated registry.

use std::{path::Path, process::Command};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::SolValue,
};

use phat_attestation::TcbStatus;
use phat_l1::{ProverRegistry, ProverRewards, QuorumAttestationVerifier, TeeVerifier};

use crate::{error::DevnetError, quorum::QuorumOperators};

/// anvil's well-known development keys, as `deploy/l1.toml` assigns their accounts.
pub mod keys {
    /// Account 0: deployer and governance admin.
    pub const ADMIN: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    /// Account 1: registry policy (trusts measurements).
    pub const POLICY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    /// Account 2: registry guardian (may only restrict: revoke, untrust).
    pub const GUARDIAN: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    /// Account 3: the rollup's proposer, the relayer's account in the devnet.
    pub const PROPOSER: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    /// Accounts 5, 6 and 7: the three attestation-quorum operators (`[quorum] signers`, k = 2).
    pub const QUORUM: [&str; 3] = [
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    ];
}

/// What `DeployDevnet` deployed.
#[derive(Debug, Clone, Copy)]
pub struct Addresses {
    pub tee: Address,
    pub quorum: Address,
    pub multi_proof: Address,
    pub rewards: Address,
    pub settlement: Address,
    pub zk_stand_in: Address,
    pub token: Address,
}

/// Runs `DeployDevnet` against `rpc`, anchoring the settlement at L2 block `genesis`.
pub fn deploy(
    repo: &Path,
    rpc: &str,
    genesis: (u64, B256, B256),
    chain_config_hash: B256,
    fund: U256,
) -> Result<Addresses, DevnetError> {
    let forge = phat_devkit::tools::foundry("forge");
    let out = Command::new(&forge)
        .current_dir(repo.join("evm-contracts"))
        .args([
            "script",
            "script/DeployDevnet.s.sol",
            "--sig",
            "devnet(string,uint64,bytes32,bytes32,bytes32,uint256)",
            "../deploy/l1.toml",
            &genesis.0.to_string(),
            &genesis.1.to_string(),
            &genesis.2.to_string(),
            &chain_config_hash.to_string(),
            &fund.to_string(),
            "--rpc-url",
            rpc,
            "--broadcast",
            // One transaction at a time, each after the previous one's receipt: sent at once, a
            // transaction that reaches a busy anvil out of order can leave a nonce gap that
            // queues every later one for good (seen once: a test waiting on a receipt forever).
            "--slow",
            "--private-key",
            keys::ADMIN,
            "--json",
        ])
        .output()
        .map_err(|e| DevnetError::Deploy(format!("{}: {e}", forge.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(DevnetError::Deploy(format!("forge script failed: {stderr}{stdout}")));
    }
    let returns = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| v.get("returns").cloned())
        .ok_or_else(|| DevnetError::Deploy(format!("no return values in forge output: {stdout}")))?;
    let get = |name: &str| -> Result<Address, DevnetError> {
        returns[name]["value"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| DevnetError::Deploy(format!("forge output lacks {name}")))
    };
    Ok(Addresses {
        tee: get("tee")?,
        quorum: get("quorum")?,
        multi_proof: get("multiProof")?,
        rewards: get("rewards")?,
        settlement: get("settlement")?,
        zk_stand_in: get("zkStandIn")?,
        token: get("token")?,
    })
}

fn l1(e: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1(e.to_string())
}

/// A provider signing as `key`.
pub fn wallet(rpc: &str, key: &str) -> Result<DynProvider, DevnetError> {
    let signer: PrivateKeySigner = key.parse().map_err(l1)?;
    let url = rpc.parse().map_err(l1)?;
    Ok(ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(url).erased())
}

/// The enclave identity of the devnet's provers. No SGX enclave runs here: the devnet says so.
pub fn devnet_enclave() -> (B256, B256, u16, u16) {
    (keccak256("phat-sgx-prover devnet enclave"), keccak256("phat-sgx-prover devnet signer"), 1, 1)
}

/// Policy: trusts the devnet enclave's measurement (as governance does for a release build).
pub async fn trust_devnet_measurement(rpc: &str, a: &Addresses) -> Result<B256, DevnetError> {
    let registry = TeeVerifier::new(a.tee, wallet(rpc, keys::POLICY)?);
    let (mr_enclave, mr_signer, prod, svn) = devnet_enclave();
    let m = registry.measurementHash(mr_enclave, mr_signer, prod, svn).call().await.map_err(l1)?;
    registry.trustMeasurement(m).send().await.map_err(l1)?.get_receipt().await.map_err(l1)?;
    Ok(m)
}

/// Registers `prover` (paid to `beneficiary`) through the quorum adapter: its quote binds its key,
/// this registry, this chain and a recent L1 block; the quorum operators verify it and k of them
/// sign. (The quote is the test PKI's: see [`crate::quorum`].)
pub async fn register(
    rpc: &str,
    a: &Addresses,
    quorum: &QuorumOperators,
    prover: Address,
    beneficiary: Address,
) -> Result<(), DevnetError> {
    let provider = wallet(rpc, keys::ADMIN)?;
    let r = registration(&provider, a, quorum, prover, beneficiary).await?;
    let registry = TeeVerifier::new(a.tee, provider);
    let receipt = registry.register(r).send().await.map_err(l1)?.get_receipt().await.map_err(l1)?;
    if !receipt.status() {
        return Err(DevnetError::L1(format!("registration of {prover} reverted")));
    }
    Ok(())
}

/// Hands over from the active instance of `old_key` to `new_prover`, newly attested: the new key is
/// active at once and the old one retires.
pub async fn rotate(
    rpc: &str,
    a: &Addresses,
    quorum: &QuorumOperators,
    old_key: &str,
    new_prover: Address,
    beneficiary: Address,
) -> Result<(), DevnetError> {
    let old: PrivateKeySigner = old_key.parse().map_err(l1)?;
    let registry = TeeVerifier::new(a.tee, wallet(rpc, keys::ADMIN)?);
    let digest = registry.handoverDigest(old.address(), new_prover).call().await.map_err(l1)?;
    let handover = old.sign_hash_sync(&digest).map_err(l1)?.as_bytes();
    rotate_signed(rpc, a, quorum, (old.address(), &handover), new_prover, beneficiary).await
}

/// [`rotate`] with the old key's `handover` signature made elsewhere (e.g. by a prover contract's
/// `handover` query).
pub async fn rotate_signed(
    rpc: &str,
    a: &Addresses,
    quorum: &QuorumOperators,
    (old, handover): (Address, &[u8]),
    new_prover: Address,
    beneficiary: Address,
) -> Result<(), DevnetError> {
    let provider = wallet(rpc, keys::ADMIN)?;
    let registry = TeeVerifier::new(a.tee, provider.clone());
    let r = registration(&provider, a, quorum, new_prover, beneficiary).await?;
    let receipt =
        registry.rotate(old, handover.to_vec().into(), r).send().await.map_err(l1)?.get_receipt().await.map_err(l1)?;
    if !receipt.status() {
        return Err(DevnetError::L1(format!("rotation to {new_prover} reverted")));
    }
    Ok(())
}

/// Guardian: untrusts the devnet enclave's measurement (permanent).
pub async fn untrust_devnet_measurement(rpc: &str, a: &Addresses) -> Result<(), DevnetError> {
    let registry = TeeVerifier::new(a.tee, wallet(rpc, keys::GUARDIAN)?);
    let (mr_enclave, mr_signer, prod, svn) = devnet_enclave();
    let m = registry.measurementHash(mr_enclave, mr_signer, prod, svn).call().await.map_err(l1)?;
    let receipt = registry.untrustMeasurement(m).send().await.map_err(l1)?.get_receipt().await.map_err(l1)?;
    if !receipt.status() {
        return Err(DevnetError::L1("untrusting the measurement reverted".into()));
    }
    Ok(())
}

/// The registration request for `prover`: a quote of the devnet enclave bound to it and to the
/// previous L1 block, attested by k quorum operators.
pub async fn registration(
    provider: &DynProvider,
    a: &Addresses,
    quorum: &QuorumOperators,
    prover: Address,
    beneficiary: Address,
) -> Result<ProverRegistry::Registration, DevnetError> {
    let (anchor, hash) = anchor(provider).await?;
    let r = crate::quorum::registration(prover, beneficiary, anchor, hash);
    let enclave = crate::quorum::devnet_enclave().reporting(quorum.binding(&r).report_data());
    let answers = quorum.ask(&quorum.request(&enclave, TcbStatus::UpToDate, r)?).await;
    registration_of(provider, a, &answers, &r).await
}

/// The L1 block a registration binds: the one before the head (the registration lands after
/// it), with its hash.
pub async fn anchor(provider: &DynProvider) -> Result<(u64, B256), DevnetError> {
    let anchor = provider.get_block_number().await.map_err(l1)?.saturating_sub(1);
    let block = provider
        .get_block_by_number(anchor.into())
        .await
        .map_err(l1)?
        .ok_or_else(|| DevnetError::L1(format!("no L1 block {anchor}")))?;
    Ok((anchor, block.header.hash))
}

/// The registry call for `r` with k of the quorum's signatures in `answers`.
pub async fn registration_of(
    provider: &DynProvider,
    a: &Addresses,
    answers: &[crate::quorum::OperatorAnswer],
    r: &phat_quorum::Registration,
) -> Result<ProverRegistry::Registration, DevnetError> {
    let k = threshold(provider, a).await?;
    let (attestation, signatures) = crate::quorum::evidence(answers, k)?;
    Ok(ProverRegistry::Registration {
        adapter: a.quorum,
        evidence: (attestation, signatures).abi_encode_params().into(),
        prover: r.prover,
        beneficiary: r.beneficiary,
        l1BlockNumber: r.l1_block_number,
    })
}

/// k: how many quorum signatures the adapter needs.
pub async fn threshold(provider: &DynProvider, a: &Addresses) -> Result<usize, DevnetError> {
    let k = QuorumAttestationVerifier::new(a.quorum, provider.clone()).threshold().call().await.map_err(l1)?;
    usize::try_from(k).map_err(l1)
}

/// Moves L1 time past the registration delay (anvil time travel), so new instances are active.
pub async fn pass_registration_delay(rpc: &str, a: &Addresses) -> Result<(), DevnetError> {
    let provider = wallet(rpc, keys::ADMIN)?;
    let p = TeeVerifier::new(a.tee, provider.clone()).parameters().call().await.map_err(l1)?;
    provider
        .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (u64::from(p.registrationDelay) + 1,))
        .await
        .map_err(l1)?;
    provider.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.map_err(l1)?;
    Ok(())
}

/// Tokens owed to `beneficiary` by the reward pool.
pub async fn owed(rpc: &str, a: &Addresses, beneficiary: Address) -> Result<U256, DevnetError> {
    let provider = wallet(rpc, keys::ADMIN)?;
    ProverRewards::new(a.rewards, provider).owed(beneficiary).call().await.map_err(l1)
}

/// Whether `prover` may sign TEE-proofs now.
pub async fn is_active(rpc: &str, a: &Addresses, prover: Address) -> Result<bool, DevnetError> {
    let provider = wallet(rpc, keys::ADMIN)?;
    TeeVerifier::new(a.tee, provider).isActive(prover).call().await.map_err(l1)
}
