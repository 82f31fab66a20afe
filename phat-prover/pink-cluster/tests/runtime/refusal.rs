//! TEE refusals in the pink runtime: the contract signs a refusal of a real block made invalid (by
//! that block's own hash, under its configured chain config and domain), never of a valid block
//! and never of a block whose witness is incomplete; and it proves neither.

use alloy_consensus::Header;
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::{Decodable, Encodable};
use drink::session::Session;
use ink::codegen::TraitCallBuilder;
use phat_prover_contract::Error;
use phat_prover_core::{RefusalPublicInput, RefusalReason, RefusedBlock, TeeProof, WitnessBundle, witness::L2Block};
use pink_drink::{Callable, PinkRuntime};

use super::{blocks, config, deploy, domain, set_chain, wasm};

/// `bundle` with its block's header changed by `edit` (the body kept: the header still commits to it).
fn with_header(bundle: &[u8], edit: impl Fn(&mut Header)) -> Vec<u8> {
    let mut b = WitnessBundle::from_bytes(bundle).expect("bundle");
    let mut block = L2Block::decode(&mut b.block.as_ref()).expect("block");
    edit(&mut block.header);
    let mut rlp = Vec::new();
    block.encode(&mut rlp);
    b.block = Bytes::from(rlp);
    b.to_bytes()
}

#[test]
fn a_prover_refuses_an_invalid_block_and_nothing_else() {
    let wasm = wasm();
    let blocks = blocks("wallet");
    let chain = set_chain(&blocks);
    let mut session = Session::<PinkRuntime>::new().expect("session");
    let mut prover = deploy(&mut session, &wasm, 7);
    prover.call_mut().configure(config(&chain)).submit_tx(&mut session).expect("tx").expect("configured");
    let address = prover.call().prover_address().query(&mut session).expect("query").expect("address");

    for (bundle, _) in &blocks {
        // A valid block: nothing to refuse.
        let r = prover.call().refuse(bundle.clone()).query(&mut session).expect("query");
        assert_eq!(r, Err(Error::BlockValid));

        // Its state root changed: refused, by the changed block's hash, and not proven.
        let bad = with_header(bundle, |h| h.state_root = B256::repeat_byte(0x5e));
        let proved = prover.call().prove(bad.clone()).query(&mut session).expect("query");
        assert!(matches!(proved, Err(Error::Refused(_))), "{proved:?}");
        let r = prover.call().refuse(bad.clone()).query(&mut session).expect("query").expect("a refusal");
        let block =
            L2Block::decode(&mut WitnessBundle::from_bytes(&bad).expect("bundle").block.as_ref()).expect("block");
        assert_eq!(r.block_hash, block.header.hash_slow().0);
        assert_eq!(r.reason, RefusalReason::StateRoot.code(), "{}", r.detail);
        assert_eq!(r.chain_config_hash, chain.hash().0);
        let parent = WitnessBundle::from_bytes(&bad).expect("bundle").headers.iter().find_map(|h| {
            (keccak256(h) == block.header.parent_hash).then(|| Header::decode(&mut h.as_ref()).expect("header"))
        });
        let refused = RefusedBlock {
            number: block.header.number,
            parent_hash: block.header.parent_hash,
            block_hash: block.header.hash_slow(),
            pre_state_root: parent.expect("the parent header").state_root,
            chain_config_hash: chain.hash(),
            reason: RefusalReason::StateRoot,
        };
        let digest = RefusalPublicInput::new(&domain(&chain, address), &refused).digest();
        assert_eq!(r.digest, digest.0, "the core's refusal digest under the contract's domain");
        let proof = TeeProof::from_bytes(&r.proof).expect("85 bytes");
        assert_eq!(proof.prover.0.0, address);
        proof.verify(digest).expect("signed by the prover's key");

        // A header rule broken (gas limit out of bounds): refused for the header.
        let bad = with_header(bundle, |h| h.gas_limit *= 2);
        let r = prover.call().refuse(bad).query(&mut session).expect("query").expect("a refusal");
        assert_eq!(r.reason, RefusalReason::Header.code(), "{}", r.detail);

        // The witness stripped of its state: the block says nothing wrong, nothing is signed.
        let mut stripped = WitnessBundle::from_bytes(&with_header(bundle, |h| h.state_root = B256::ZERO)).expect("b");
        stripped.state.truncate(1);
        let r = prover.call().refuse(stripped.to_bytes()).query(&mut session).expect("query");
        assert!(matches!(r, Err(Error::Refused(_))), "{r:?}");
    }
}
