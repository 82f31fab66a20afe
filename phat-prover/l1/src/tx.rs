//! The transaction a prover relays its TEE-proof with: `MultiProofVerifier.submitTeeProof`, which
//! verifies the proof through the `TeeVerifier` and puts it on record for the block's transition
//! (anyone may send it; the proof, not the sender, is what L1 checks) — an EIP-1559 transaction,
//! signed with any [`Signer`] (the Phat contract's relay key, derived in the TEE).

use alloc::vec::Vec;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Signature, TxKind, U256};
use alloy_sol_types::SolCall;
use phat_prover_core::{
    public_input::BlockPublicInput,
    signature::{SignatureError, Signer},
};

use crate::{
    MultiProofVerifier::{TeeEvidence, submitTeeProofCall},
    Transition,
    error::FeeError,
};

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
        tee: TeeEvidence {
            batch: false,
            commitment: input.witnessCommitment,
            chainConfigHash: input.chainConfigHash,
            proof: Bytes::copy_from_slice(proof),
        },
    }
    .abi_encode()
}

/// What the sender's node says a transaction needs (see `phat_rpc::transaction_params`).
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
    /// Refuses parameters no honest node gives for `submitTeeProof` — a gas estimate above
    /// [`MAX_RELAY_GAS`], a tip above the gas price — and a transaction whose fee cap would exceed
    /// `max_fee_cap`, the sender's configured limit (the gas price is the L1 endpoint's word).
    pub fn check(&self, max_fee_cap: u128) -> Result<(), FeeError> {
        if self.gas_estimate > MAX_RELAY_GAS {
            return Err(FeeError::GasEstimate(self.gas_estimate));
        }
        if self.max_priority_fee_per_gas > self.gas_price {
            return Err(FeeError::TipAboveGasPrice { tip: self.max_priority_fee_per_gas, gas_price: self.gas_price });
        }
        let max_fee = self.max_fee_per_gas();
        if max_fee > max_fee_cap {
            return Err(FeeError::AboveCap { max_fee, cap: max_fee_cap });
        }
        Ok(())
    }

    /// The fee cap a transaction built from these parameters carries: twice the node's gas price
    /// plus the tip (room for the base fee to rise).
    pub fn max_fee_per_gas(&self) -> u128 {
        self.gas_price.saturating_mul(2).saturating_add(self.max_priority_fee_per_gas)
    }
}

/// The EIP-1559 transaction calling `to` with `data` on chain `chain_id`: a fee cap of twice the
/// node's gas price plus the tip (room for the base fee to rise), 20 % over the gas estimate.
pub fn call_transaction(chain_id: u64, params: &TxParams, to: Address, data: Vec<u8>) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce: params.nonce,
        gas_limit: params.gas_estimate.saturating_add(params.gas_estimate / 5),
        max_fee_per_gas: params.max_fee_per_gas(),
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
    use phat_prover_core::signature::LocalSigner;

    #[test]
    fn the_relay_transaction_is_signed_by_the_signer_and_carries_the_proof() {
        let signer = LocalSigner::from_bytes(&B256::repeat_byte(7)).expect("key");
        let input = BlockPublicInput {
            tag: B256::ZERO,
            l1ChainId: U256::from(31_337),
            verifier: Address::ZERO,
            l2ChainId: U256::from(167_001),
            chainConfigHash: B256::repeat_byte(6),
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
        assert_eq!(ok.check(u128::MAX), Ok(()));
        // 2 × gas price + tip: at the cap it passes, one under it does not.
        let max_fee = ok.max_fee_per_gas();
        assert_eq!(max_fee, 2 * ok.gas_price + ok.max_priority_fee_per_gas);
        assert_eq!(ok.check(max_fee), Ok(()));
        assert_eq!(ok.check(max_fee - 1), Err(FeeError::AboveCap { max_fee, cap: max_fee - 1 }));
        assert_eq!(
            TxParams { gas_estimate: MAX_RELAY_GAS + 1, ..ok }.check(u128::MAX),
            Err(FeeError::GasEstimate(MAX_RELAY_GAS + 1))
        );
        assert_eq!(
            TxParams { max_priority_fee_per_gas: 11, ..ok }.check(u128::MAX),
            Err(FeeError::TipAboveGasPrice { tip: 11, gas_price: 10 })
        );
    }
}
