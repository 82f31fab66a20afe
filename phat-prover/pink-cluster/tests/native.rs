//! The `phat-prover` contract's logic natively, on ink!'s off-chain environment with
//! pink-chain-extension's mocks (`mock_all_ext`: the same sr25519 derivation and secp256k1
//! signing as pink-drink's runtime; `set_mode(true)` makes the call a transaction): roles and
//! configuration (the chain config among it), key derivation and rotation with their events, the
//! transaction context refused, and a real Ethereum test block proven under the configured chain
//! config and checked against the core's local signer.

use ink::env::test::{self, recorded_events};
use phat_prover_contract::{Config, Error, PROVER_KEY_DOMAIN, PhatProver, RELAY_KEY_DOMAIN};
use phat_prover_core::{
    BlockPublicInput, ChainConfig, ChainConfigParts, Fork, LocalSigner, ProofDomain, Signer, TeeProof, WitnessBundle,
    execute,
};
use pink::PinkEnvironment;
use pink_chain_extension::mock_ext;

phat_pink_cluster::probestack!();

const OWNER: [u8; 32] = [1; 32];
const STRANGER: [u8; 32] = [2; 32];
const CONTRACT: [u8; 32] = [9; 32];

/// A chain with every fork up to Cancun from genesis.
fn cancun(chain_id: u64) -> ChainConfig {
    ChainConfig::new(ChainConfigParts::from_genesis_up_to(chain_id, Fork::Cancun)).expect("valid")
}

fn config(chain: &ChainConfig) -> Config {
    Config {
        l2_rpcs: vec!["http://127.0.0.1:8545".into()],
        chain_config: chain.to_canonical(),
        l1_chain_id: 31_337,
        l1_verifier: [0x5f; 20],
        l1_rpcs: Vec::new(),
        l1_multi_proof: [0; 20],
        relay_callers: Vec::new(),
        relay_max_fee_per_gas: 1_000_000_000_000,
    }
}

/// A contract at `CONTRACT` deployed by `OWNER`, with the extension mocked.
fn deployed() -> PhatProver {
    mock_ext::mock_all_ext();
    mock_ext::set_mode(false);
    test::set_callee::<PinkEnvironment>(CONTRACT.into());
    test::set_caller::<PinkEnvironment>(OWNER.into());
    PhatProver::new()
}

/// The key the mock derives for `domain` and `epoch` of the contract at `CONTRACT` (its
/// `derive_sr25519_key` seeds an sr25519 pair with the salt).
/// The key pink-chain-extension's mock derives for `domain`, `epoch` and configuration `binding`
/// (its mock uses the salt as the sr25519 seed).
fn mock_key(domain: &[u8], epoch: u32, binding: &[u8; 32]) -> LocalSigner {
    use sp_core::Pair;
    let salt = alloy_primitives::keccak256([domain, &CONTRACT[..], &epoch.to_be_bytes(), binding].concat());
    let pair = sp_core::sr25519::Pair::from_seed(&salt.0);
    LocalSigner::from_bytes(&alloy_primitives::B256::from_slice(&pair.as_ref().secret.to_bytes()[..32])).expect("key")
}

#[ink::test]
fn only_the_owner_configures_and_bad_configurations_are_refused() {
    let mut prover = deployed();
    assert_eq!(prover.owner(), OWNER.into());
    assert_eq!(prover.config(), None);
    test::set_caller::<PinkEnvironment>(STRANGER.into());
    assert_eq!(prover.configure(config(&cancun(1))), Err(Error::NotOwner));
    test::set_caller::<PinkEnvironment>(OWNER.into());
    // A chain config that is not the canonical encoding of a valid one: chain id 0, truncated,
    // another tag, a fork time out of uint64, empty.
    let canonical = cancun(1).to_canonical();
    let malformed = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = canonical.clone();
        edit(&mut bytes);
        Config { chain_config: bytes, ..config(&cancun(1)) }
    };
    let bad = [
        malformed(&|b| b[32..64].fill(0)),
        malformed(&|b| b.truncate(b.len() - 1)),
        malformed(&|b| b[0] ^= 1),
        malformed(&|b| b[64..96].fill(0xff)),
        malformed(&|b| b.clear()),
        Config { l1_chain_id: 0, ..config(&cancun(1)) },
        Config { l1_verifier: [0; 20], ..config(&cancun(1)) },
        Config { l2_rpcs: vec!["ws://127.0.0.1:8546".into()], ..config(&cancun(1)) },
        Config { l1_rpcs: vec!["http://127.0.0.1:8545".into()], ..config(&cancun(1)) },
    ];
    for c in bad {
        assert!(matches!(prover.configure(c), Err(Error::InvalidConfig(_))));
    }
    assert_eq!(recorded_events().count(), 0, "a refused configuration emits nothing");
    assert_eq!(prover.config(), None);
    assert_eq!(prover.configure(config(&cancun(7))), Ok(()));
    assert_eq!(prover.config(), Some(config(&cancun(7))));
    assert_eq!(recorded_events().count(), 1, "Configured");
    // The event names the chain id and the hash L1 expects for the rollup.
    let event = recorded_events().next().expect("Configured");
    type Event = <PhatProver as ink::reflect::ContractEventBase>::Type;
    match <Event as parity_scale_codec::Decode>::decode(&mut &event.data[..]).expect("an event of the contract") {
        Event::Configured(c) => {
            assert_eq!((c.l2_chain_id, c.chain_config_hash), (7, cancun(7).hash().0));
            // It names the key proofs are now signed with, bound to this configuration.
            let binding = phat_prover_contract::config_binding(&config(&cancun(7)));
            assert_eq!(c.prover, mock_key(PROVER_KEY_DOMAIN, 0, &binding).address().0.0);
            assert_eq!(Ok(c.prover), prover.prover_address());
        }
        _ => panic!("not Configured"),
    }
}

#[ink::test]
fn keys_are_derived_per_domain_epoch_and_configuration_and_rotate_with_an_event() {
    let mut prover = deployed();
    // The prover key needs the configuration it is bound to; the relay key does not.
    assert_eq!(prover.prover_address(), Err(Error::NotConfigured));
    assert_eq!(prover.rotate_key(), Err(Error::NotConfigured));
    prover.configure(config(&cancun(1))).expect("configured");
    let binding = phat_prover_contract::config_binding(&config(&cancun(1)));
    let address = prover.prover_address().expect("address");
    assert_eq!(address, mock_key(PROVER_KEY_DOMAIN, 0, &binding).address().0.0);
    assert_eq!(prover.relay_address(), Ok(mock_key(RELAY_KEY_DOMAIN, 0, &[0; 32]).address().0.0));
    let public = prover.public_key().expect("public key");
    assert_eq!(public.len(), 33, "compressed secp256k1");

    test::set_caller::<PinkEnvironment>(STRANGER.into());
    assert_eq!(prover.rotate_key(), Err(Error::NotOwner));
    test::set_caller::<PinkEnvironment>(OWNER.into());
    assert_eq!(prover.rotate_key(), Ok(()));
    assert_eq!(prover.key_epoch(), 1);
    let rotated = prover.prover_address().expect("address");
    assert_eq!(rotated, mock_key(PROVER_KEY_DOMAIN, 1, &binding).address().0.0);
    assert_ne!(rotated, address);
    assert_eq!(recorded_events().count(), 2, "Configured, KeyRotated");
    // The relay key does not rotate with the prover key.
    assert_eq!(prover.relay_address(), Ok(mock_key(RELAY_KEY_DOMAIN, 0, &[0; 32]).address().0.0));

    // The handover L1's `rotate` needs: the old key's signature over the registry's digest.
    let handover = prover.handover().expect("handover");
    assert_eq!((handover.old, handover.new), (address, rotated));
    let digest = phat_l1::handover_digest(31_337, [0x5f; 20].into(), address.into(), rotated.into());
    assert_eq!(handover.digest, digest.0);
    let signature: [u8; 65] = handover.signature.as_slice().try_into().expect("65 bytes");
    assert_eq!(phat_prover_core::signature::recover(digest, &signature), Ok(address.into()));
}

#[ink::test]
fn there_is_nothing_to_hand_over_before_a_rotation() {
    let mut prover = deployed();
    prover.configure(config(&cancun(1))).expect("configured");
    assert_eq!(prover.handover(), Err(Error::NothingToHandOver));
}

#[ink::test]
fn a_real_block_is_proven_and_signed_as_the_core_signs_it() {
    let dir = std::path::PathBuf::from(std::env::var("PHAT_BLOCK_BUNDLES").expect("PHAT_BLOCK_BUNDLES")).join("wallet");
    let bytes = std::fs::read(dir.join("001-2.bundle")).expect("bundle");
    let bundle = WitnessBundle::from_bytes(&bytes).expect("bundle");
    // The chain config the bundle was proven under (`phat-prover bundle` names it in the index).
    let index: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("index")).expect("json");
    let entry = index.iter().find(|e| e["file"] == "001-2.bundle").expect("indexed");
    let chain = phat_pink_cluster::chain_config_from_hex(entry["chain_config"].as_str().expect("hex")).expect("chain");
    assert_eq!(chain.chain_id(), bundle.chain_id);
    let mut prover = deployed();
    assert_eq!(prover.prove(bytes.clone()), Err(Error::NotConfigured));
    prover.configure(config(&chain)).expect("configured");

    let proved = prover.prove(bytes.clone()).expect("proved");
    let input = bundle.clone().into_input(&chain).expect("input");
    let outcome = execute(&chain, &input).expect("native");
    // Executed under the configured chain config, and the proof commits to it.
    assert_eq!((proved.chain_config_hash, outcome.chain_config_hash), (chain.hash().0, chain.hash()));
    let signer = mock_key(PROVER_KEY_DOMAIN, 0, &phat_prover_contract::config_binding(&config(&chain)));
    let domain = ProofDomain {
        l1_chain_id: 31_337,
        verifier: [0x5f; 20].into(),
        l2_chain_id: bundle.chain_id,
        prover: signer.address(),
    };
    let digest = BlockPublicInput::new(&domain, &outcome).digest();
    assert_eq!(BlockPublicInput::new(&domain, &outcome).chainConfigHash, chain.hash());
    assert_eq!(proved.digest, digest.0);
    assert_eq!(proved.public_input(&domain).digest(), digest);
    assert_eq!(proved.proof, TeeProof::sign(&signer, digest).expect("sign").to_bytes().to_vec());
    assert_eq!((proved.block_number, proved.post_state_root), (outcome.number, outcome.post_state_root.0));

    // Garbage and another chain's block are refused; nothing is signed.
    assert!(matches!(prover.prove(vec![0xc1]), Err(Error::BadBundle(_))));
    let mut other = bundle.clone();
    other.chain_id += 1;
    assert_eq!(
        prover.prove(other.to_bytes()),
        Err(Error::WrongChain { expected: bundle.chain_id, got: bundle.chain_id + 1 })
    );
    // A block whose witness lacks a node: the STF refuses it.
    let mut thin = bundle.clone();
    thin.state.truncate(1);
    assert!(matches!(prover.prove(thin.to_bytes()), Err(Error::Refused(_))));
    // A prover configured for another chain refuses the bundle (nothing executed, nothing signed).
    let other_chain = cancun(bundle.chain_id + 1);
    prover.configure(config(&other_chain)).expect("configured");
    assert_eq!(prover.prove(bytes), Err(Error::WrongChain { expected: bundle.chain_id + 1, got: bundle.chain_id }));
}

#[ink::test]
fn in_a_transaction_nothing_is_proven_fetched_relayed_or_attested() {
    let mut prover = deployed();
    prover.configure(config(&cancun(1))).expect("configured");
    mock_ext::set_mode(true);
    assert_eq!(prover.prove(vec![0xc0]), Err(Error::TransactionContext));
    assert_eq!(prover.prove_block(2), Err(Error::TransactionContext));
    assert_eq!(prover.prove_blocks(2, 2), Err(Error::TransactionContext));
    assert_eq!(prover.attestation(), Err(Error::TransactionContext));
    // (`attestation` in a query needs the contract's code hash, which only a runtime has: it is
    // tested on the wasm in pink-drink.)
}
