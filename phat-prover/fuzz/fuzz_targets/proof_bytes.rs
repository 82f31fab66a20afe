//! `TeeProof::from_bytes` and `verify`. Input: a 32-byte digest (zero-padded when shorter), then the
//! proof bytes. A proof that decodes re-encodes to the same 85 bytes; `verify` on any digest returns
//! `Ok` or `Err`, and an accepted proof is low-s, `v ∈ {27, 28}`, and recovers to its prover. The
//! digest also signs with the key it makes (when it is a valid scalar): that proof verifies.
#![no_main]

use alloy_primitives::{B256, U256};
use libfuzzer_sys::fuzz_target;
use phat_prover_core::{
    LocalSigner, TeeProof,
    signature::{PROOF_LEN, from_rsy, recover},
};

/// secp256k1's n / 2: the largest low `s`.
const HALF_N: U256 =
    U256::from_be_bytes(alloy_primitives::hex!("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"));

fuzz_target!(|data: &[u8]| {
    let split = data.len().min(32);
    let mut digest = B256::ZERO;
    digest[..split].copy_from_slice(&data[..split]);
    let bytes = &data[split..];

    match TeeProof::from_bytes(bytes) {
        Err(_) => assert_ne!(bytes.len(), PROOF_LEN),
        Ok(proof) => {
            assert_eq!(proof.to_bytes().as_slice(), bytes);
            assert_eq!(TeeProof::from_bytes(&proof.to_bytes()), Ok(proof));
            if proof.verify(digest).is_ok() {
                assert!(matches!(proof.signature[64], 27 | 28));
                assert!(U256::from_be_slice(&proof.signature[32..64]) <= HALF_N);
                assert_eq!(recover(digest, &proof.signature), Ok(proof.prover));
            }
            // pink's raw r ‖ s ‖ recid, normalized: what it gives verifies whenever it recovers.
            if let Ok(normalized) = from_rsy(&proof.signature) {
                let normal = TeeProof { prover: proof.prover, signature: normalized };
                if let Ok(prover) = recover(digest, &normalized) {
                    assert_eq!(TeeProof { prover, ..normal }.verify(digest), Ok(()));
                }
            }
        }
    }

    if let Ok(signer) = LocalSigner::from_bytes(&digest) {
        let proof = TeeProof::sign(&signer, digest).expect("a valid key signs");
        assert_eq!(proof.verify(digest), Ok(()));
        assert_eq!(TeeProof::from_bytes(&proof.to_bytes()), Ok(proof));
    }
});
