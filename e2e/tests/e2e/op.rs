//! The OP Stack devnet end to end: an OP-mode anvil L2 whose blocks open with L1-attributes
//! deposits naming L1 blocks (with user deposits, L1 and operator fees), two registered provers
//! running the OP STF, and the OP relayer proposing output roots to the chain's `OpOutputOracle`,
//! which checks the TEE-proof (registered, active prover; this rollup's config) and the L1 origin.
//! Every proposed output root must be the node's; through an outage of one prover (1-of-N); and
//! L1 refuses a changed claim, an unregistered signer and a claim that does not start at the
//! latest output.

use std::sync::Arc;

use alloy::primitives::{B256, keccak256};
use phat_devkit::op::output_root_at;
use phat_e2e::op::OpDevnet;
use phat_l1::{OpOutputClaim, OpOutputOracle};
use phat_relayer::op::{LocalOpProver, OpOutputProver, claim_of};

use super::devnet::repo;

fn selector(error: &str) -> String {
    alloy::hex::encode(&keccak256(error)[..4])
}

#[tokio::test(flavor = "multi_thread")]
async fn op_output_roots_are_proven_and_accepted_on_l1_one_of_n() {
    let mut op = OpDevnet::start(&repo(), 2).await.unwrap();
    for _ in 0..6 {
        op.block().await.unwrap();
    }
    // One prover down (its L2 endpoint closed), asked first: the other proves (1-of-N).
    let down =
        LocalOpProver::new("down", "http://127.0.0.1:9", &op.devnet.prover_keys[0], op.domain(), op.chain.clone())
            .unwrap();
    let mut provers: Vec<Arc<dyn OpOutputProver>> = vec![Arc::new(down)];
    provers.extend(op.provers().unwrap());
    let relayer = op.relayer(provers, 3).await.unwrap();

    let first = relayer.step().await.unwrap().expect("blocks 2..=4 to propose");
    assert_eq!((first.block, first.prover.as_str()), (4, "op-prover-0"));
    let second = relayer.step().await.unwrap().expect("blocks 5..=7 to propose");
    assert_eq!(second.block, 7);
    assert!(relayer.step().await.unwrap().is_none(), "nothing past the head");

    let l1 = alloy::providers::ProviderBuilder::new().connect_http(op.devnet.l1.url.parse().unwrap());
    let oracle = OpOutputOracle::new(op.oracle, &l1);
    for number in [4u64, 7] {
        let on_l1 = oracle.outputAt(number).call().await.unwrap();
        assert_eq!(on_l1, output_root_at(&op.l2.url, number).await.unwrap(), "block {number}");
    }
    assert_eq!(oracle.latestBlockNumber().call().await.unwrap(), 7);

    // A proof for the next block, then claims L1 must refuse.
    op.block().await.unwrap();
    let prover = op.provers().unwrap().remove(1);
    let proof = prover.prove_op_output(8, 8).await.unwrap();
    let claim = claim_of(&proof);
    // An L1 block on: `blockhash` of the L1 origin (the L1 head when block 8 was built) is known
    // from the next L1 block on.
    alloy::providers::Provider::raw_request::<_, serde_json::Value>(&l1, "evm_mine".into(), ()).await.unwrap();
    assert_eq!(oracle.verify(claim.clone(), proof.proof.clone()).call().await.unwrap(), prover.address());
    let refused = |claim: OpOutputClaim, proof: alloy::primitives::Bytes| {
        let oracle = &oracle;
        async move { oracle.verify(claim, proof).call().await.unwrap_err().to_string() }
    };
    // Another ending output root: the signature recovers to another key.
    let changed = OpOutputClaim { endingOutputRoot: B256::repeat_byte(1), ..claim.clone() };
    assert!(refused(changed, proof.proof.clone()).await.contains(&selector("SignerMismatch(address,address)")));
    // Another L1 origin hash: not L1's block.
    let origin = OpOutputClaim { l1OriginHash: B256::repeat_byte(2), ..claim.clone() };
    assert!(refused(origin, proof.proof.clone()).await.contains(&selector("L1OriginMismatch(uint64,bytes32,bytes32)")));
    // A key no quorum registered, signing the same claim.
    let stranger = LocalOpProver::new(
        "stranger",
        &op.l2.url,
        &keccak256("not registered").to_string(),
        op.domain(),
        op.chain.clone(),
    )
    .unwrap();
    let foreign = stranger.prove_op_output(8, 8).await.unwrap();
    let err = refused(claim.clone(), foreign.proof.clone()).await;
    assert!(err.contains(&selector("ProverNotRegistered(address)")), "{err}");
    assert!(err.contains(&alloy::hex::encode(stranger.address())), "{err}");
    // A transition that does not start at the latest output (7): refused on propose.
    let relayer_l1 = phat_e2e::l1::wallet(&op.devnet.l1.url, phat_e2e::l1::keys::ADMIN).unwrap();
    let skipping = OpOutputClaim { startingBlockNumber: 6, ..claim.clone() };
    let err =
        OpOutputOracle::new(op.oracle, &relayer_l1).propose(skipping, proof.proof.clone()).call().await.unwrap_err();
    assert!(err.to_string().contains(&selector("StartingBlockMismatch(uint64,uint64)")), "{err}");
    // The honest claim is accepted.
    OpOutputOracle::new(op.oracle, &relayer_l1)
        .propose(claim, proof.proof.clone())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert_eq!(oracle.outputAt(8).call().await.unwrap(), output_root_at(&op.l2.url, 8).await.unwrap());
}
