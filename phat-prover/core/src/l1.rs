//! What a prover says to L1 besides proofs. The transaction it relays a TEE-proof with:
//! `MultiProofVerifier.submitTeeProof`, which verifies the proof through the `TeeVerifier` and puts
//! it on record for the block's transition (anyone may send it; the proof, not the sender, is what
//! L1 checks) — an EIP-1559 transaction, signed with any [`Signer`] (the Phat contract's relay key,
//! derived in the TEE). And the handover of a key rotation: `ProverRegistry.rotate` takes the old
//! key's signature over [`handover_digest`].

use alloc::vec::Vec;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind, U256, b256, keccak256};
use alloy_sol_types::{SolCall, SolValue, sol};

use crate::{
    public_input::BlockPublicInput,
    signature::{SignatureError, Signer},
};

sol! {
    /// A contiguous range of L2 blocks and the state it moves between (`IRollupSettlement`).
    struct Transition {
        uint64 firstBlock;
        uint64 lastBlock;
        bytes32 parentHash;
        bytes32 preStateRoot;
        bytes32 blockHash;
        bytes32 postStateRoot;
    }

    /// A TEE-proof as the settlement takes it.
    struct TeeEvidence {
        bool batch;
        bytes32 commitment;
        bytes proof;
    }

    /// `MultiProofVerifier.submitTeeProof`.
    function submitTeeProof(uint256 l2ChainId, Transition t, TeeEvidence tee) external returns (bool accepted);
}

/// `keccak256("phat-sgx-prover.handover.v1")`: `ProverRegistry.HANDOVER_TAG`.
pub const HANDOVER_TAG: B256 = b256!("0xa24a33ee40a04c90618d44e75d0cd1ec81f97d14e15ee32dd0439805d2f25d92");

/// `ProverRegistry.handoverDigest(old, new)` of the registry at `registry` on L1 `l1_chain_id`:
/// `keccak256(abi.encode(HANDOVER_TAG, chainid, registry, old, new))`. Its tag keeps it apart from
/// every proof digest.
pub fn handover_digest(l1_chain_id: u64, registry: Address, old: Address, new: Address) -> B256 {
    keccak256((HANDOVER_TAG, U256::from(l1_chain_id), registry, old, new).abi_encode())
}

/// The calldata of `submitTeeProof` for the single-block proof `proof` of `input`.
pub fn submit_tee_proof(input: &BlockPublicInput, proof: &[u8]) -> Vec<u8> {
    submitTeeProofCall {
        l2ChainId: input.l2ChainId,
        t: Transition {
            firstBlock: input.blockNumber,
            lastBlock: input.blockNumber,
            parentHash: input.parentHash,
            preStateRoot: input.preStateRoot,
            blockHash: input.blockHash,
            postStateRoot: input.postStateRoot,
        },
        tee: TeeEvidence { batch: false, commitment: input.witnessCommitment, proof: Bytes::copy_from_slice(proof) },
    }
    .abi_encode()
}

/// What the sender's node says a transaction needs (see `rpc::transaction_params`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxParams {
    /// The sender's next nonce (pending).
    pub nonce: u64,
    /// The node's gas price (base fee and tip).
    pub gas_price: u128,
    /// The node's suggested tip.
    pub max_priority_fee_per_gas: u128,
    /// The node's gas estimate of the call.
    pub gas_estimate: u64,
}

/// Most gas a relay transaction may use (`submitTeeProof` takes ≈ 60–100 k).
pub const MAX_RELAY_GAS: u64 = 1_000_000;

impl TxParams {
    /// Refuses parameters no honest node gives for `submitTeeProof`: a gas estimate above
    /// [`MAX_RELAY_GAS`], or a tip above the gas price. (The gas price itself is the L1 endpoint's
    /// word: fund the relay key with what relaying needs, not more.)
    pub fn check(&self) -> Result<(), alloc::string::String> {
        if self.gas_estimate > MAX_RELAY_GAS {
            return Err(alloc::format!("gas estimate {} above {MAX_RELAY_GAS}", self.gas_estimate));
        }
        if self.max_priority_fee_per_gas > self.gas_price {
            return Err(alloc::format!("tip {} above the gas price {}", self.max_priority_fee_per_gas, self.gas_price));
        }
        Ok(())
    }
}

/// The EIP-1559 transaction calling `to` with `data` on chain `chain_id`: a fee cap of twice the
/// node's gas price plus the tip (room for the base fee to rise), 20 % over the gas estimate.
pub fn call_transaction(chain_id: u64, params: &TxParams, to: Address, data: Vec<u8>) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce: params.nonce,
        gas_limit: params.gas_estimate.saturating_add(params.gas_estimate / 5),
        max_fee_per_gas: params.gas_price.saturating_mul(2).saturating_add(params.max_priority_fee_per_gas),
        max_priority_fee_per_gas: params.max_priority_fee_per_gas,
        to: TxKind::Call(to),
        value: U256::ZERO,
        access_list: Default::default(),
        input: data.into(),
    }
}

/// Signs `tx` with `signer`; returns the EIP-2718 envelope `eth_sendRawTransaction` takes.
pub fn sign_transaction(tx: TxEip1559, signer: &impl Signer) -> Result<Vec<u8>, SignatureError> {
    let rsv = signer.sign_digest(tx.signature_hash())?;
    let signature = Signature::from_bytes_and_parity(&rsv[..64], rsv[64] == 28);
    Ok(TxEnvelope::from(tx.into_signed(signature)).encoded_2718())
}

#[cfg(test)]
mod tests {
    use alloy_consensus::transaction::SignerRecoverable;
    use alloy_eips::eip2718::Decodable2718;
    use alloy_primitives::{B256, address};

    use super::*;
    use crate::signature::LocalSigner;

    #[test]
    fn the_relay_transaction_is_signed_by_the_signer_and_carries_the_proof() {
        let signer = LocalSigner::from_bytes(&B256::repeat_byte(7)).expect("key");
        let input = BlockPublicInput {
            tag: B256::ZERO,
            l1ChainId: U256::from(31_337),
            verifier: Address::ZERO,
            l2ChainId: U256::from(167_001),
            prover: signer.address(),
            blockNumber: 9,
            parentHash: B256::repeat_byte(1),
            blockHash: B256::repeat_byte(2),
            preStateRoot: B256::repeat_byte(3),
            postStateRoot: B256::repeat_byte(4),
            witnessCommitment: B256::repeat_byte(5),
        };
        let data = submit_tee_proof(&input, &[0xab; 85]);
        let params =
            TxParams { nonce: 3, gas_price: 2_000_000_000, max_priority_fee_per_gas: 1, gas_estimate: 100_000 };
        let to = address!("0x00000000000000000000000000000000000000aa");
        let raw = sign_transaction(call_transaction(31_337, &params, to, data.clone()), &signer).expect("signed");

        let envelope = TxEnvelope::decode_2718(&mut raw.as_slice()).expect("envelope");
        assert_eq!(envelope.recover_signer().expect("recovers"), signer.address());
        let tx = envelope.as_eip1559().expect("EIP-1559").tx();
        assert_eq!((tx.chain_id, tx.nonce, tx.gas_limit, tx.to), (31_337, 3, 120_000, TxKind::Call(to)));
        assert_eq!(tx.max_fee_per_gas, 4_000_000_001);
        let call = submitTeeProofCall::abi_decode(&tx.input).expect("submitTeeProof");
        assert_eq!((call.l2ChainId, call.t.firstBlock, call.t.lastBlock), (U256::from(167_001), 9, 9));
        assert_eq!(call.tee.proof.as_ref(), &[0xab; 85]);
        assert_eq!((call.t.parentHash, call.t.postStateRoot), (input.parentHash, input.postStateRoot));
        assert_eq!(call.tee.commitment, input.witnessCommitment);
        assert!(!call.tee.batch);
    }

    #[test]
    fn parameters_no_honest_node_gives_are_refused() {
        let ok = TxParams { nonce: 0, gas_price: 10, max_priority_fee_per_gas: 2, gas_estimate: 90_000 };
        assert_eq!(ok.check(), Ok(()));
        assert!(TxParams { gas_estimate: MAX_RELAY_GAS + 1, ..ok }.check().is_err());
        assert!(TxParams { max_priority_fee_per_gas: u128::MAX, ..ok }.check().is_err());
    }
}
