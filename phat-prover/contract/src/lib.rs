//! `phat-prover`: the prover of Phat SGX-Prover as an ink! Phat Contract.
//!
//! A thin adapter over `phat-prover-core`: the contract holds its configuration, derives its
//! signing key inside the TEE from the cluster key (never stored, never returned), and in a query
//! runs the stateless STF on a witness bundle and signs the public input — the same digest and
//! the same 85-byte TEE-proof the core's local signer makes for the same key.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// ink! 4.3's macros test `feature = "__ink_dylint_*"` cfgs that no crate declares.
#![allow(unexpected_cfgs)]

extern crate alloc;

pub use phat_prover::*;

#[ink::contract(env = pink::PinkEnvironment)]
mod phat_prover {
    use alloc::{format, string::String, vec::Vec};

    use alloy_primitives::{Address, B256};
    use k256::ecdsa::VerifyingKey;
    use phat_prover_core::{
        execute,
        signature::{from_rsy, SignatureError, Signer},
        BlockPublicInput, ProofDomain, TeeProof, WitnessBundle,
    };
    use pink::chain_extension::SigType;

    /// Domain tag of the prover key's derivation salt (the key epoch follows it).
    pub const PROVER_KEY_DOMAIN: &[u8] = b"phat-sgx-prover.prover-key.v1";

    /// What the owner configures.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Config {
        /// L2 JSON-RPC endpoints (tried in order).
        pub l2_rpcs: Vec<String>,
        /// Chain id of the L2 whose blocks this prover proves.
        pub l2_chain_id: u64,
        /// Chain id of L1.
        pub l1_chain_id: u64,
        /// The L1 `TeeVerifier` the proofs are bound to.
        pub l1_verifier: [u8; 20],
    }

    /// Why a call was refused. Nothing is signed on any error.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub enum Error {
        /// Only the owner may do this.
        NotOwner,
        /// `configure` has not been called.
        NotConfigured,
        /// The configuration is unusable (the message says why).
        InvalidConfig(String),
        /// Proving, signing and HTTP run in queries only: a transaction is executed by every
        /// worker of the cluster in block order and must not sign unverified input.
        TransactionContext,
        /// The witness bundle does not decode.
        BadBundle(String),
        /// The bundle is for another L2.
        WrongChain { expected: u64, got: u64 },
        /// The STF refused the block.
        Refused(String),
        /// The TEE key could not sign (or is unusable as a secp256k1 key).
        Signing(String),
        /// The key epoch cannot advance further.
        EpochExhausted,
    }

    /// A TEE-proof and what it proves.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub struct Proved {
        pub block_number: u64,
        pub parent_hash: [u8; 32],
        pub block_hash: [u8; 32],
        pub pre_state_root: [u8; 32],
        pub post_state_root: [u8; 32],
        pub witness_commitment: [u8; 32],
        pub gas_used: u64,
        /// The public input's digest (what was signed).
        pub digest: [u8; 32],
        /// The 85-byte TEE-proof: prover address ‖ signature.
        pub proof: Vec<u8>,
    }

    /// What the registration path needs from this prover, and the worker's quote.
    ///
    /// In the pink model the worker's SGX quote attests the **worker** (its key and the pink
    /// runtime measurement), not this contract's derived key: the key is derived from the cluster
    /// key, which the gatekeepers manage in their own enclaves. See `docs/security-model.md`.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub struct Attestation {
        /// The worker's SGX quote, if the worker has one.
        pub worker_quote: Option<Vec<u8>>,
        /// The prover's Ethereum address (the key to register).
        pub prover: [u8; 20],
        pub key_epoch: u32,
        /// This contract's code hash (what the registry's measurement must cover).
        pub code_hash: [u8; 32],
    }

    /// The configuration changed.
    #[ink(event)]
    pub struct Configured {
        pub l2_chain_id: u64,
        pub l1_chain_id: u64,
        pub l1_verifier: [u8; 20],
    }

    /// The signing key moved to a new epoch: L1 should retire `old` and register `new`.
    #[ink(event)]
    pub struct KeyRotated {
        pub epoch: u32,
        pub old: [u8; 20],
        pub new: [u8; 20],
    }

    #[ink(storage)]
    pub struct PhatProver {
        owner: AccountId,
        config: Option<Config>,
        key_epoch: u32,
    }

    /// The prover key of `epoch`, held only for the duration of a call.
    struct TeeKey {
        secret: Vec<u8>,
        address: Address,
    }

    impl TeeKey {
        /// Derives the key of `epoch` for the contract `contract`. The salt is
        /// `keccak256(PROVER_KEY_DOMAIN ‖ contract ‖ epoch)`: 32 bytes of entropy, so that a
        /// derivation that reads only part of its salt still separates epochs and instances.
        fn derive(contract: &AccountId, epoch: u32) -> Result<Self, Error> {
            let contract: &[u8] = contract.as_ref();
            let salt = alloy_primitives::keccak256([PROVER_KEY_DOMAIN, contract, &epoch.to_be_bytes()].concat());
            let derived = pink::ext().derive_sr25519_key(salt.to_vec().into());
            let secret = derived.get(..32).ok_or_else(|| Error::Signing("derived key too short".into()))?.to_vec();
            let public = pink::ext().get_public_key(SigType::Ecdsa, &secret);
            let key =
                VerifyingKey::from_sec1_bytes(&public).map_err(|_| Error::Signing("invalid public key".into()))?;
            Ok(Self { secret, address: Address::from_public_key(&key) })
        }
    }

    impl Signer for TeeKey {
        fn address(&self) -> Address {
            self.address
        }

        fn sign_digest(&self, digest: B256) -> Result<[u8; 65], SignatureError> {
            from_rsy(&pink::ext().ecdsa_sign_prehashed(&self.secret, digest.0))
        }
    }

    impl Default for PhatProver {
        fn default() -> Self {
            Self::new()
        }
    }

    impl PhatProver {
        /// The caller becomes the owner; configure with [`Self::configure`].
        #[ink(constructor)]
        pub fn new() -> Self {
            Self { owner: Self::env().caller(), config: None, key_epoch: 0 }
        }

        /// Owner: sets the configuration.
        #[ink(message)]
        pub fn configure(&mut self, config: Config) -> Result<(), Error> {
            self.ensure_owner()?;
            if config.l2_chain_id == 0 || config.l1_chain_id == 0 {
                return Err(Error::InvalidConfig("chain ids must be non-zero".into()));
            }
            if config.l1_verifier == [0u8; 20] {
                return Err(Error::InvalidConfig("L1 verifier address is zero".into()));
            }
            if let Some(bad) = config.l2_rpcs.iter().find(|u| !(u.starts_with("http://") || u.starts_with("https://")))
            {
                return Err(Error::InvalidConfig(format!("not an http(s) URL: {bad}")));
            }
            self.env().emit_event(Configured {
                l2_chain_id: config.l2_chain_id,
                l1_chain_id: config.l1_chain_id,
                l1_verifier: config.l1_verifier,
            });
            self.config = Some(config);
            Ok(())
        }

        /// The configuration.
        #[ink(message)]
        pub fn config(&self) -> Option<Config> {
            self.config.clone()
        }

        /// The owner.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.owner
        }

        /// The current key epoch.
        #[ink(message)]
        pub fn key_epoch(&self) -> u32 {
            self.key_epoch
        }

        /// The Ethereum address of the current prover key.
        #[ink(message)]
        pub fn prover_address(&self) -> Result<[u8; 20], Error> {
            Ok(self.key(self.key_epoch)?.address.0 .0)
        }

        /// The compressed secp256k1 public key of the current prover key.
        #[ink(message)]
        pub fn public_key(&self) -> Result<Vec<u8>, Error> {
            let key = self.key(self.key_epoch)?;
            Ok(pink::ext().get_public_key(SigType::Ecdsa, &key.secret))
        }

        /// Owner: moves to the next key epoch (a new address); reports both addresses.
        #[ink(message)]
        pub fn rotate_key(&mut self) -> Result<(), Error> {
            self.ensure_owner()?;
            let next = self.key_epoch.checked_add(1).ok_or(Error::EpochExhausted)?;
            let old = self.key(self.key_epoch)?.address;
            let new = self.key(next)?.address;
            self.key_epoch = next;
            self.env().emit_event(KeyRotated { epoch: next, old: old.0 .0, new: new.0 .0 });
            Ok(())
        }

        /// Query: executes the block of `bundle` (a `phat_prover_core::WitnessBundle`) statelessly
        /// and signs its public input with the TEE key.
        #[ink(message)]
        pub fn prove(&self, bundle: Vec<u8>) -> Result<Proved, Error> {
            if pink::ext().is_in_transaction() {
                return Err(Error::TransactionContext);
            }
            let config = self.config.as_ref().ok_or(Error::NotConfigured)?;
            let bundle = WitnessBundle::from_bytes(&bundle).map_err(|e| Error::BadBundle(format!("{e}")))?;
            if bundle.chain_id != config.l2_chain_id {
                return Err(Error::WrongChain { expected: config.l2_chain_id, got: bundle.chain_id });
            }
            let (chain, input) = bundle.into_input().map_err(|e| Error::BadBundle(format!("{e}")))?;
            let outcome = execute(&chain, &input).map_err(|e| Error::Refused(format!("{e}")))?;
            let key = self.key(self.key_epoch)?;
            let domain = ProofDomain {
                l1_chain_id: config.l1_chain_id,
                verifier: Address::from(config.l1_verifier),
                l2_chain_id: config.l2_chain_id,
                prover: key.address,
            };
            let digest = BlockPublicInput::new(&domain, &outcome).digest();
            let proof = TeeProof::sign(&key, digest).map_err(|e| Error::Signing(format!("{e}")))?;
            Ok(Proved {
                block_number: outcome.number,
                parent_hash: outcome.parent_hash.0,
                block_hash: outcome.block_hash.0,
                pre_state_root: outcome.pre_state_root.0,
                post_state_root: outcome.post_state_root.0,
                witness_commitment: outcome.witness_commitment.0,
                gas_used: outcome.gas_used,
                digest: digest.0,
                proof: proof.to_bytes().to_vec(),
            })
        }

        /// Query: the worker's SGX quote and what the registration binds.
        #[ink(message)]
        pub fn attestation(&self) -> Result<Attestation, Error> {
            if pink::ext().is_in_transaction() {
                return Err(Error::TransactionContext);
            }
            let key = self.key(self.key_epoch)?;
            let mut code_hash = [0u8; 32];
            let own = self.env().own_code_hash().map_err(|_| Error::Signing("no code hash".into()))?;
            code_hash.copy_from_slice(own.as_ref());
            Ok(Attestation {
                worker_quote: pink::ext().worker_sgx_quote().map(|q| q.quote),
                prover: key.address.0 .0,
                key_epoch: self.key_epoch,
                code_hash,
            })
        }

        /// This contract's prover key of `epoch`.
        fn key(&self, epoch: u32) -> Result<TeeKey, Error> {
            TeeKey::derive(&self.env().account_id(), epoch)
        }

        fn ensure_owner(&self) -> Result<(), Error> {
            if self.env().caller() == self.owner {
                Ok(())
            } else {
                Err(Error::NotOwner)
            }
        }
    }
}
