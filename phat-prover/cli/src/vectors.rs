//! Cross-language test vectors: what the Rust core produces, for the Solidity verifier's tests;
//! and TDX normalized attestations (`phat-attestation`) with what the L1 registry and quorum
//! adapter compute from them.
//!
//! Deterministic (fixed keys and inputs), so the committed file can be regenerated and compared.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, keccak256};
use alloy_sol_types::{SolStruct, SolValue};
use phat_attestation::{
    Binding, NormalizedAttestation, TcbStatus, VerifiedTdQuote,
    attestation::report_id,
    eventlog::DstackApp,
    tdx::{Mr, tdx_measurement_hash},
};
use phat_prover_core::{
    BatchPublicInput, BlockOutcome, BlockPublicInput, ChainConfig, ChainConfigParts, Fork, LocalSigner, ProofDomain,
    RefusalPublicInput, RefusalReason, RefusedBlock, Signer, TeeProof,
    op::{OpBlockOutcome, OpChainConfig, OpOutputPublicInput, l1_info::L1Origin, public_input::OP_OUTPUT_TAG},
    public_input::{BATCH_TAG, BLOCK_TAG, blocks_commitment},
    refusal::REFUSAL_TAG,
};
use serde::Serialize;

use phat_witness::PublicInputJson;

use crate::error::CliError;

/// The secp256k1 group order n.
const N: U256 = U256::from_be_bytes(
    alloy_primitives::b256!("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").0,
);

/// L1 chain id the vectors are signed for.
pub const L1_CHAIN_ID: u64 = 31337;
/// Address the vectors assume for the L1 `TeeVerifier`.
pub const VERIFIER: Address = alloy_primitives::address!("0x7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E");
/// L2 chain id of the vectors.
pub const L2_CHAIN_ID: u64 = 167_000;

/// L2 chain id of the OP Stack vectors.
pub const OP_L2_CHAIN_ID: u64 = 11_155_420;

/// The rollup config of the OP vectors' chain: [`OP_L2_CHAIN_ID`] with every fork through Isthmus
/// active from genesis (Jovian never), EIP-1559 elasticity 6 and Canyon denominator 250.
fn op_chain_config() -> Result<OpChainConfig, CliError> {
    let mut rollup = serde_json::json!({
        "l2_chain_id": OP_L2_CHAIN_ID,
        "chain_op_config": { "eip1559Elasticity": 6, "eip1559DenominatorCanyon": 250 },
    });
    for fork in ["regolith", "canyon", "ecotone", "fjord", "granite", "holocene", "isthmus"] {
        rollup[format!("{fork}_time")] = 0.into();
    }
    OpChainConfig::from_rollup_config(&rollup).map_err(|e| CliError::Input(e.to_string()))
}

/// A chain config of the vectors' L2: [`L2_CHAIN_ID`] with every fork through `last` active from
/// genesis. Every valid vector is executed under Prague's; one invalid vector is signed under
/// Osaka's.
fn chain_config(last: Fork) -> Result<ChainConfig, CliError> {
    ChainConfig::new(ChainConfigParts::from_genesis_up_to(L2_CHAIN_ID, last))
        .map_err(|e| CliError::Input(e.to_string()))
}

/// The whole vector file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vectors {
    pub description: &'static str,
    pub block_tag: B256,
    pub batch_tag: B256,
    pub refusal_tag: B256,
    pub op_output_tag: B256,
    pub l1_chain_id: u64,
    pub verifier: Address,
    pub blocks: Vec<BlockVector>,
    pub batches: Vec<BatchVector>,
    pub refusals: Vec<RefusalVector>,
    pub op_outputs: Vec<OpOutputVector>,
    pub invalid: Vec<InvalidVector>,
    pub tdx_attestations: Vec<TdxAttestationVector>,
}

/// A TDX prover VM's normalized attestation (`VerifiedTdQuote::normalized`) with the TD report
/// fields it is made of and what L1 computes from it, all computed here.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TdxAttestationVector {
    pub name: String,
    /// The TD report's registers (48 bytes each).
    pub mr_td: Mr,
    pub rtmr0: Mr,
    pub rtmr1: Mr,
    pub rtmr2: Mr,
    pub mr_config_id: Mr,
    pub mr_owner: Mr,
    pub mr_owner_config: Mr,
    pub mr_service_td: Mr,
    pub td_attributes: FixedBytes<8>,
    pub xfam: FixedBytes<8>,
    /// The app the VM's event log names.
    pub compose_hash: B256,
    /// What report_data binds (the L1 chain and registry are the file's).
    pub prover: Address,
    pub beneficiary: Address,
    pub l1_block_number: u64,
    pub l1_block_hash: B256,
    pub attestation: NormalizedAttestation,
    /// `ProverRegistry.tdxMeasurementHash(tdMeasurement, tdOwner, composeHash)`.
    pub tdx_measurement_hash: B256,
    /// `ProverRegistry.reportId(attestation)`.
    pub report_id: B256,
    /// `QuorumAttestationVerifier.hashAttestation(attestation)` (EIP-712 `hashStruct`).
    pub hash_attestation: B256,
    /// What the registry answers: `ok` or the name of its error.
    pub verdict: &'static str,
}

/// A TEE refusal (`RefusalPublicInput`) and its signature.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusalVector {
    pub name: String,
    pub secret: B256,
    pub prover: Address,
    pub l2_chain_id: u64,
    pub chain_config_hash: B256,
    pub block_number: u64,
    pub parent_hash: B256,
    pub block_hash: B256,
    pub pre_state_root: B256,
    pub reason: u16,
    pub encoded: Bytes,
    pub digest: B256,
    pub proof: Bytes,
}

/// A valid OP Stack output-root proof (`OpOutputPublicInput`) of a run of synthetic OP blocks, with
/// what its output roots and block commitment are made of.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpOutputVector {
    pub name: String,
    pub secret: B256,
    pub prover: Address,
    pub l2_chain_id: u64,
    /// [`OpChainConfig::hash`] of the rollup config the blocks were executed under.
    pub rollup_config_hash: B256,
    pub l1_origin_hash: B256,
    pub l1_origin_number: u64,
    pub starting_block_number: u64,
    pub starting_output_root: B256,
    pub ending_block_number: u64,
    pub ending_output_root: B256,
    pub blocks_commitment: B256,
    /// The starting output root's parts: the first block's parent hash and pre-state root, the
    /// message passer's storage root before it.
    pub starting_block_hash: B256,
    pub starting_state_root: B256,
    pub starting_message_passer_root: B256,
    /// The ending output root's message passer storage root (its block hash and state root are the
    /// last of `block_hashes` and `post_state_roots`).
    pub ending_message_passer_root: B256,
    /// Per block: blockHash, postStateRoot, witnessCommitment.
    pub block_hashes: Vec<B256>,
    pub post_state_roots: Vec<B256>,
    pub witness_commitments: Vec<B256>,
    /// `abi.encode(publicInput)`.
    pub encoded: Bytes,
    pub digest: B256,
    pub proof: Bytes,
}

/// A valid single-block proof.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockVector {
    pub name: String,
    pub secret: B256,
    pub public_input: PublicInputJson,
    /// `abi.encode(publicInput)`.
    pub encoded: Bytes,
    pub digest: B256,
    pub signature: Bytes,
    pub proof: Bytes,
}

/// A valid batch proof.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchVector {
    pub name: String,
    pub secret: B256,
    pub prover: Address,
    pub l2_chain_id: u64,
    /// [`ChainConfig::hash`] of the rules the blocks were executed under.
    pub chain_config_hash: B256,
    pub first_block_number: u64,
    pub last_block_number: u64,
    pub first_parent_hash: B256,
    pub last_block_hash: B256,
    pub first_pre_state_root: B256,
    pub last_post_state_root: B256,
    /// Per block: parentHash, blockHash, preStateRoot, postStateRoot, witnessCommitment.
    pub block_hashes: Vec<B256>,
    pub post_state_roots: Vec<B256>,
    pub witness_commitments: Vec<B256>,
    pub blocks_commitment: B256,
    pub digest: B256,
    pub proof: Bytes,
}

/// A proof that must be refused, with the reason the Rust verifier gives.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidVector {
    pub name: String,
    /// What L1 must say: `InvalidProofLength`, `InvalidSignatureV`, `SignatureSMalleable`,
    /// `SignerMismatch` (recovers, but to another address than the proof's prover).
    pub error: &'static str,
    pub public_input: PublicInputJson,
    pub proof: Bytes,
}

fn key(i: u8) -> (B256, LocalSigner) {
    let mut seed = i;
    loop {
        let secret = keccak256([b"phat-sgx-prover vector key ".as_slice(), &[seed]].concat());
        if let Ok(signer) = LocalSigner::from_bytes(&secret) {
            return (secret, signer);
        }
        seed = seed.wrapping_add(100);
    }
}

fn outcome(l2_block: u64, parent_hash: B256, pre: B256, chain_config_hash: B256) -> BlockOutcome {
    let tag = |what: &str| keccak256(format!("{what} {l2_block}"));
    BlockOutcome {
        number: l2_block,
        parent_hash,
        block_hash: tag("block"),
        pre_state_root: pre,
        post_state_root: tag("post"),
        receipts_root: tag("receipts"),
        gas_used: 21_000 * l2_block,
        tx_count: 1,
        witness_commitment: tag("witness"),
        chain_config_hash,
    }
}

fn sign(signer: &LocalSigner, digest: B256) -> Result<TeeProof, CliError> {
    Ok(TeeProof::sign(signer, digest)?)
}

/// Builds the vectors.
pub fn generate() -> Result<Vectors, CliError> {
    let config_hash = chain_config(Fork::Prague)?.hash();
    let mut blocks = Vec::new();
    let mut invalid = Vec::new();
    for i in 0u8..4 {
        let (secret, signer) = key(i);
        let domain = ProofDomain {
            l1_chain_id: L1_CHAIN_ID,
            verifier: VERIFIER,
            l2_chain_id: L2_CHAIN_ID,
            prover: signer.address(),
        };
        let o = outcome(100 + u64::from(i), keccak256([i, 1]), keccak256([i, 2]), config_hash);
        let input = BlockPublicInput::new(&domain, &o);
        let digest = input.digest();
        let proof = sign(&signer, digest)?;
        proof.verify(digest).map_err(|e| CliError::Verify(e.to_string()))?;
        blocks.push(BlockVector {
            name: format!("block-{i}"),
            secret,
            public_input: PublicInputJson::from_sol(&input),
            encoded: input.abi_encode().into(),
            digest,
            signature: Bytes::copy_from_slice(&proof.signature),
            proof: Bytes::copy_from_slice(&proof.to_bytes()),
        });
    }

    // Refusals, all built from the first valid vector.
    let (_, signer) = key(0);
    let (_, other) = key(1);
    let base = &blocks[0];
    let good = TeeProof::from_bytes(&base.proof)?;
    let pi = base.public_input.clone();
    let mut push = |name: &str, error: &'static str, public_input: PublicInputJson, proof: Vec<u8>| {
        invalid.push(InvalidVector { name: name.into(), error, public_input, proof: proof.into() });
    };
    push("truncated", "InvalidProofLength", pi.clone(), good.to_bytes()[..84].to_vec());
    push("extra-byte", "InvalidProofLength", pi.clone(), [good.to_bytes().as_slice(), &[0]].concat());
    let mut bad_v = good;
    bad_v.signature[64] -= 27;
    push("v-is-recid", "InvalidSignatureV", pi.clone(), bad_v.to_bytes().to_vec());
    let mut high_s = good;
    let s = U256::from_be_slice(&good.signature[32..64]);
    high_s.signature[32..64].copy_from_slice(&(N - s).to_be_bytes::<32>());
    high_s.signature[64] = if good.signature[64] == 27 { 28 } else { 27 };
    push("high-s-twin", "SignatureSMalleable", pi.clone(), high_s.to_bytes().to_vec());
    let mut tampered = pi.clone();
    tampered.post_state_root = keccak256("forged post-state root");
    push("forged-post-root", "SignerMismatch", tampered, good.to_bytes().to_vec());
    let mut other_l1 = pi.clone();
    other_l1.l1_chain_id = 1;
    let replay = sign(&signer, other_l1.to_sol().digest())?;
    push("signed-for-other-l1", "SignerMismatch", pi.clone(), replay.to_bytes().to_vec());
    let mut other_verifier = pi.clone();
    other_verifier.verifier = Address::repeat_byte(0x11);
    let replay = sign(&signer, other_verifier.to_sol().digest())?;
    push("signed-for-other-verifier", "SignerMismatch", pi.clone(), replay.to_bytes().to_vec());
    // Executed under other rules (Osaka from genesis), checked against the rollup's config.
    let mut other_config = pi.clone();
    other_config.chain_config_hash = chain_config(Fork::Osaka)?.hash();
    let replay = sign(&signer, other_config.to_sol().digest())?;
    push("signed-under-other-chain-config", "SignerMismatch", pi.clone(), replay.to_bytes().to_vec());
    let mut stolen = good;
    stolen.prover = other.address();
    let mut stolen_pi = pi.clone();
    stolen_pi.prover = other.address();
    push("stolen-by-other-prover", "SignerMismatch", stolen_pi, stolen.to_bytes().to_vec());

    // Batches of 1, 3 and 64 blocks.
    let mut batches = Vec::new();
    for (i, len) in [(2u8, 1usize), (3, 3), (0, 64)] {
        let (secret, signer) = key(i);
        let domain = ProofDomain {
            l1_chain_id: L1_CHAIN_ID,
            verifier: VERIFIER,
            l2_chain_id: L2_CHAIN_ID,
            prover: signer.address(),
        };
        let mut outcomes: Vec<BlockOutcome> = Vec::with_capacity(len);
        let (mut parent, mut pre) = (keccak256([i, 3]), keccak256([i, 4]));
        for n in 0..len as u64 {
            let o = outcome(1000 * u64::from(i) + n, parent, pre, config_hash);
            (parent, pre) = (o.block_hash, o.post_state_root);
            outcomes.push(o);
        }
        let input = BatchPublicInput::new(&domain, &outcomes).map_err(|e| CliError::Input(e.to_string()))?;
        debug_assert_eq!(input.blocksCommitment, blocks_commitment(&outcomes));
        let digest = input.digest();
        let proof = sign(&signer, digest)?;
        batches.push(BatchVector {
            name: format!("batch-{len}"),
            secret,
            prover: signer.address(),
            l2_chain_id: L2_CHAIN_ID,
            chain_config_hash: input.chainConfigHash,
            first_block_number: input.firstBlockNumber,
            last_block_number: input.lastBlockNumber,
            first_parent_hash: input.firstParentHash,
            last_block_hash: input.lastBlockHash,
            first_pre_state_root: input.firstPreStateRoot,
            last_post_state_root: input.lastPostStateRoot,
            block_hashes: outcomes.iter().map(|o| o.block_hash).collect(),
            post_state_roots: outcomes.iter().map(|o| o.post_state_root).collect(),
            witness_commitments: outcomes.iter().map(|o| o.witness_commitment).collect(),
            blocks_commitment: input.blocksCommitment,
            digest,
            proof: Bytes::copy_from_slice(&proof.to_bytes()),
        });
    }

    // Refusals: one per reason code.
    let mut refusals = Vec::new();
    for code in 1u16..=7 {
        let reason = RefusalReason::from_code(code).ok_or_else(|| CliError::Input(format!("reason {code}")))?;
        let (secret, signer) = key(code as u8 % 4);
        let domain = ProofDomain {
            l1_chain_id: L1_CHAIN_ID,
            verifier: VERIFIER,
            l2_chain_id: L2_CHAIN_ID,
            prover: signer.address(),
        };
        let tag = |what: &str| keccak256(format!("refused {what} {code}"));
        let block = RefusedBlock {
            number: 500 + u64::from(code),
            parent_hash: tag("parent"),
            block_hash: tag("block"),
            pre_state_root: tag("pre"),
            chain_config_hash: config_hash,
            reason,
        };
        let input = RefusalPublicInput::new(&domain, &block);
        let digest = input.digest();
        let proof = sign(&signer, digest)?;
        proof.verify(digest).map_err(|e| CliError::Verify(e.to_string()))?;
        refusals.push(RefusalVector {
            name: format!("refusal-{code}"),
            secret,
            prover: signer.address(),
            l2_chain_id: L2_CHAIN_ID,
            chain_config_hash: config_hash,
            block_number: block.number,
            parent_hash: block.parent_hash,
            block_hash: block.block_hash,
            pre_state_root: block.pre_state_root,
            reason: code,
            encoded: input.abi_encode().into(),
            digest,
            proof: Bytes::copy_from_slice(&proof.to_bytes()),
        });
    }

    let op_outputs = op_outputs()?;

    Ok(Vectors {
        description: "TEE-proof v2 vectors and TDX normalized attestations generated by `phat-prover vectors` \
                      (docs/proof-format.md). Regenerate, never edit by hand.",
        block_tag: BLOCK_TAG,
        batch_tag: BATCH_TAG,
        refusal_tag: REFUSAL_TAG,
        op_output_tag: OP_OUTPUT_TAG,
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER,
        blocks,
        batches,
        refusals,
        op_outputs,
        invalid,
        tdx_attestations: tdx_attestations(),
    })
}

/// OP output-root proofs of one block and of three, each from synthetic OP outcomes whose message
/// passer storage root changes with every block.
fn op_outputs() -> Result<Vec<OpOutputVector>, CliError> {
    let config_hash = op_chain_config()?.hash();
    let mut vectors = Vec::new();
    for (i, len) in [(2u8, 1u64), (3, 3)] {
        let (secret, signer) = key(i);
        let domain = ProofDomain {
            l1_chain_id: L1_CHAIN_ID,
            verifier: VERIFIER,
            l2_chain_id: OP_L2_CHAIN_ID,
            prover: signer.address(),
        };
        let first = 9_000 + 100 * u64::from(i);
        let (starting_block_hash, starting_state_root) = (keccak256([i, 5]), keccak256([i, 6]));
        let starting_message_passer_root = keccak256([i, 7]);
        let (mut parent, mut pre, mut pre_mp) =
            (starting_block_hash, starting_state_root, starting_message_passer_root);
        let mut outcomes = Vec::new();
        for n in first..first + len {
            let block = outcome(n, parent, pre, config_hash);
            let mp = keccak256(format!("message passer {n}"));
            let origin_number = 20_000 + n / 4;
            let origin = L1Origin {
                number: origin_number,
                timestamp: 1_780_000_000 + 12 * origin_number,
                base_fee: U256::from(1_000_000_000u64),
                blob_base_fee: U256::from(1u64),
                hash: keccak256(format!("phat-sgx-prover vector l1 block {origin_number}")),
            };
            (parent, pre) = (block.block_hash, block.post_state_root);
            outcomes.push(OpBlockOutcome {
                block,
                l1_origin: origin,
                pre_message_passer_root: Some(pre_mp),
                message_passer_root: Some(mp),
            });
            pre_mp = mp;
        }
        let input = OpOutputPublicInput::new(&domain, &outcomes).map_err(|e| CliError::Input(e.to_string()))?;
        let digest = input.digest();
        let proof = sign(&signer, digest)?;
        proof.verify(digest).map_err(|e| CliError::Verify(e.to_string()))?;
        let blocks: Vec<&BlockOutcome> = outcomes.iter().map(|o| &o.block).collect();
        vectors.push(OpOutputVector {
            name: format!("op-output-{len}"),
            secret,
            prover: signer.address(),
            l2_chain_id: OP_L2_CHAIN_ID,
            rollup_config_hash: input.rollupConfigHash,
            l1_origin_hash: input.l1OriginHash,
            l1_origin_number: input.l1OriginNumber,
            starting_block_number: input.startingBlockNumber,
            starting_output_root: input.startingOutputRoot,
            ending_block_number: input.endingBlockNumber,
            ending_output_root: input.endingOutputRoot,
            blocks_commitment: input.blocksCommitment,
            starting_block_hash,
            starting_state_root,
            starting_message_passer_root,
            ending_message_passer_root: pre_mp,
            block_hashes: blocks.iter().map(|o| o.block_hash).collect(),
            post_state_roots: blocks.iter().map(|o| o.post_state_root).collect(),
            witness_commitments: blocks.iter().map(|o| o.witness_commitment).collect(),
            encoded: input.abi_encode().into(),
            digest,
            proof: Bytes::copy_from_slice(&proof.to_bytes()),
        });
    }
    Ok(vectors)
}

/// A TD's verified quote with registers derived from `name`, `mr_service_td` as given.
fn td_quote(name: &str, mr_service_td: Mr, report_data: [u8; 64]) -> VerifiedTdQuote {
    let reg = |what: &str| {
        let (a, b) = (keccak256(format!("{name} {what}")), keccak256(format!("{name} {what} low")));
        Mr::from_slice(&[a.as_slice(), &b[..16]].concat())
    };
    let tag = |what: &str| keccak256(format!("{name} {what}"));
    VerifiedTdQuote {
        quote_version: 5,
        tcb_status: TcbStatus::UpToDate,
        advisory_ids: vec![],
        tee_tcb_svn: FixedBytes::repeat_byte(0x03),
        mr_seam: reg("mr_seam"),
        mr_signer_seam: Mr::ZERO,
        seam_attributes: FixedBytes::ZERO,
        // SEPT_VE_DISABLE only; XFAM x87, SSE, AVX, AVX-512, PKRU, AMX: as Intel's sample quotes.
        td_attributes: FixedBytes([0, 0, 0, 0x10, 0, 0, 0, 0]),
        xfam: FixedBytes([0xe7, 0x02, 0x06, 0, 0, 0, 0, 0]),
        mr_td: reg("mr_td"),
        mr_config_id: reg("mr_config_id"),
        mr_owner: reg("mr_owner"),
        mr_owner_config: reg("mr_owner_config"),
        rtmr: [reg("rtmr0"), reg("rtmr1"), reg("rtmr2"), reg("rtmr3")],
        report_data: FixedBytes(report_data),
        mr_service_td,
        verified_at: 1_780_000_000 + 24 * 3600,
        tcb_info_hash: tag("tcb info"),
        qe_identity_hash: tag("qe identity"),
        crls_hash: tag("crls"),
    }
}

/// Two TDX attestations bound to registrations on the vectors' registry: a dstack VM with its app
/// (accepted once its measurement is trusted) and one with a service TD bound and no event log
/// (refused).
fn tdx_attestations() -> Vec<TdxAttestationVector> {
    let cases: [(&str, u8, Option<B256>, bool, &'static str); 2] = [
        ("tdx-dstack-app", 4, Some(keccak256("app-compose.json of the vector app")), false, "ok"),
        ("tdx-service-td-no-event-log", 5, None, true, "ServiceTdBound"),
    ];
    cases
        .into_iter()
        .map(|(name, key_index, compose_hash, service_td, verdict)| {
            let (_, signer) = key(key_index);
            let l1_block_number = 999;
            let binding = Binding {
                chain_id: L1_CHAIN_ID,
                registry: VERIFIER,
                prover: signer.address(),
                beneficiary: Address::repeat_byte(0xbe),
                l1_block_number,
                l1_block_hash: keccak256(format!("phat-sgx-prover vector l1 block {l1_block_number}")),
            };
            let mut service = Mr::ZERO;
            if service_td {
                service[0] = 0x5d;
            }
            let q = td_quote(name, service, binding.report_data());
            debug_assert!(q.check_binding(&binding).is_ok());
            let app = compose_hash.map(|compose_hash| DstackApp {
                compose_hash,
                app_id: Bytes::from_static(&[0x37; 20]),
                key_provider: Bytes::from_static(br#"{"name":"kms"}"#),
                instance_id: None,
            });
            let attestation = q.normalized(app.as_ref());
            let m = q.measurement();
            TdxAttestationVector {
                name: name.into(),
                mr_td: m.mr_td,
                rtmr0: m.rtmr0,
                rtmr1: m.rtmr1,
                rtmr2: m.rtmr2,
                mr_config_id: m.mr_config_id,
                mr_owner: q.mr_owner,
                mr_owner_config: q.mr_owner_config,
                mr_service_td: q.mr_service_td,
                td_attributes: q.td_attributes,
                xfam: q.xfam,
                compose_hash: attestation.composeHash,
                prover: binding.prover,
                beneficiary: binding.beneficiary,
                l1_block_number,
                l1_block_hash: binding.l1_block_hash,
                tdx_measurement_hash: tdx_measurement_hash(
                    attestation.tdMeasurement,
                    attestation.tdOwner,
                    attestation.composeHash,
                ),
                report_id: report_id(&attestation),
                hash_attestation: attestation.eip712_hash_struct(),
                attestation,
                verdict,
            }
        })
        .collect()
}
