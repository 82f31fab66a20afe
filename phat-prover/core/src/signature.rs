//! Signing a public-input digest and the compact TEE-proof bytes.
//!
//! Signature: secp256k1 over the 32-byte digest itself (no EIP-191 prefix: the digest is already
//! domain-separated), 65 bytes `r ‖ s ‖ v` with `v ∈ {27, 28}` and `s ≤ n/2` (low-s only, as the L1
//! verifier requires). Proof bytes: `prover address (20) ‖ signature (65)` = 85 bytes.

use alloy_primitives::{Address, B256, Signature};

/// Length of a TEE-proof: 20-byte prover address and 65-byte signature.
pub const PROOF_LEN: usize = 85;

/// Why a signature or proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Proof bytes are not exactly 85 bytes long.
    #[error("proof is {0} bytes, expected 85")]
    ProofLength(usize),
    /// `v` is neither 27 nor 28.
    #[error("signature v = {0}, expected 27 or 28")]
    BadV(u8),
    /// `s` is in the upper half of the curve order (malleable form).
    #[error("signature s is not low (s > n/2)")]
    HighS,
    /// `r`/`s` out of range or no key recovers from them.
    #[error("signature does not recover to a public key")]
    Unrecoverable,
    /// The signature recovers to another address than the claimed prover.
    #[error("signature recovers to {recovered}, proof claims prover {claimed}")]
    WrongSigner {
        /// The address the proof names.
        claimed: Address,
        /// The address the signature recovers to.
        recovered: Address,
    },
    /// The signing key is unusable.
    #[error("signer failed: {0}")]
    Signer(&'static str),
}

/// Something that signs digests with one secp256k1 key: a local key here, the TEE-derived key in the
/// Phat contract.
pub trait Signer {
    /// The Ethereum address of the key.
    fn address(&self) -> Address;
    /// Signs `digest` as is, returning `r ‖ s ‖ v` (`v` 27/28, low `s`).
    fn sign_digest(&self, digest: B256) -> Result<[u8; 65], SignatureError>;
}

/// A secp256k1 key held in memory (CLI, tests, benchmarks).
#[derive(Clone)]
pub struct LocalSigner {
    key: k256::ecdsa::SigningKey,
    address: Address,
}

impl core::fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LocalSigner").field("address", &self.address).finish_non_exhaustive()
    }
}

impl LocalSigner {
    /// A signer from a 32-byte secret; refuses zero and values ≥ n.
    pub fn from_bytes(secret: &B256) -> Result<Self, SignatureError> {
        let key = k256::ecdsa::SigningKey::from_bytes(&secret.0.into())
            .map_err(|_| SignatureError::Signer("secret is not a valid secp256k1 scalar"))?;
        let address = Address::from_public_key(key.verifying_key());
        Ok(Self { key, address })
    }
}

impl Signer for LocalSigner {
    fn address(&self) -> Address {
        self.address
    }

    fn sign_digest(&self, digest: B256) -> Result<[u8; 65], SignatureError> {
        let (sig, recid) = self
            .key
            .sign_prehash_recoverable(digest.as_slice())
            .map_err(|_| SignatureError::Signer("signing failed"))?;
        // k256 returns normalized (low-s) signatures with the matching recovery id.
        Ok(Signature::from_signature_and_parity(sig, recid.is_y_odd()).as_bytes())
    }
}

/// Turns a raw `r ‖ s ‖ recid` (recid 0/1, as pink's `ecdsa_sign_prehashed` returns) into the
/// proof's `r ‖ s ‖ v` form, normalizing a high `s`.
pub fn from_rsy(raw: &[u8; 65]) -> Result<[u8; 65], SignatureError> {
    let parity = match raw[64] {
        0 | 27 => false,
        1 | 28 => true,
        v => return Err(SignatureError::BadV(v)),
    };
    Ok(Signature::from_bytes_and_parity(&raw[..64], parity).normalized_s().as_bytes())
}

/// Recovers the signer of `digest`, enforcing `v ∈ {27, 28}` and low `s`.
pub fn recover(digest: B256, signature: &[u8; 65]) -> Result<Address, SignatureError> {
    let v = signature[64];
    if v != 27 && v != 28 {
        return Err(SignatureError::BadV(v));
    }
    let sig = Signature::from_bytes_and_parity(&signature[..64], v == 28);
    if sig.normalize_s().is_some() {
        return Err(SignatureError::HighS);
    }
    sig.recover_address_from_prehash(&digest).map_err(|_| SignatureError::Unrecoverable)
}

/// A TEE-proof: who signed and the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeeProof {
    /// The prover instance that signed.
    pub prover: Address,
    /// `r ‖ s ‖ v`.
    pub signature: [u8; 65],
}

impl TeeProof {
    /// Signs `digest` with `signer`.
    pub fn sign(signer: &impl Signer, digest: B256) -> Result<Self, SignatureError> {
        Ok(Self { prover: signer.address(), signature: signer.sign_digest(digest)? })
    }

    /// The 85 proof bytes.
    pub fn to_bytes(&self) -> [u8; PROOF_LEN] {
        let mut out = [0u8; PROOF_LEN];
        out[..20].copy_from_slice(self.prover.as_slice());
        out[20..].copy_from_slice(&self.signature);
        out
    }

    /// Parses 85 proof bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        let bytes: &[u8; PROOF_LEN] = bytes.try_into().map_err(|_| SignatureError::ProofLength(bytes.len()))?;
        let mut signature = [0u8; 65];
        signature.copy_from_slice(&bytes[20..]);
        Ok(Self { prover: Address::from_slice(&bytes[..20]), signature })
    }

    /// Checks that the signature over `digest` recovers to the named prover.
    pub fn verify(&self, digest: B256) -> Result<(), SignatureError> {
        let recovered = recover(digest, &self.signature)?;
        if recovered == self.prover {
            Ok(())
        } else {
            Err(SignatureError::WrongSigner { claimed: self.prover, recovered })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{U256, b256, keccak256};

    const N: U256 = U256::from_be_bytes(b256!("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").0);

    fn signer() -> LocalSigner {
        LocalSigner::from_bytes(&keccak256("phat-prover test key")).expect("valid key")
    }

    #[test]
    fn signs_low_s_and_recovers() {
        let s = signer();
        for i in 0u8..32 {
            let digest = keccak256([i]);
            let proof = TeeProof::sign(&s, digest).expect("sign");
            assert!(U256::from_be_slice(&proof.signature[32..64]) <= N >> 1);
            assert!(matches!(proof.signature[64], 27 | 28));
            proof.verify(digest).expect("verifies");
            assert_eq!(TeeProof::from_bytes(&proof.to_bytes()), Ok(proof));
        }
    }

    #[test]
    fn refuses_high_s_bad_v_wrong_digest_and_length() {
        let s = signer();
        let digest = keccak256("d");
        let proof = TeeProof::sign(&s, digest).expect("sign");
        let mut high = proof;
        let s_val = U256::from_be_slice(&proof.signature[32..64]);
        high.signature[32..64].copy_from_slice(&(N - s_val).to_be_bytes::<32>());
        high.signature[64] = 55 - high.signature[64]; // 27 <-> 28: same key, malleable twin
        assert_eq!(high.verify(digest), Err(SignatureError::HighS));
        let mut bad_v = proof;
        bad_v.signature[64] = 1;
        assert_eq!(bad_v.verify(digest), Err(SignatureError::BadV(1)));
        assert!(matches!(proof.verify(keccak256("other")), Err(SignatureError::WrongSigner { .. })));
        assert_eq!(TeeProof::from_bytes(&[0u8; 84]), Err(SignatureError::ProofLength(84)));
        // pink returns recid 0/1 and may return a high s: from_rsy normalizes both.
        let mut rsy = high.signature;
        rsy[64] -= 27;
        assert_eq!(from_rsy(&rsy), Ok(proof.signature));
    }

    #[test]
    fn zero_secret_is_refused() {
        assert!(LocalSigner::from_bytes(&B256::ZERO).is_err());
    }
}
