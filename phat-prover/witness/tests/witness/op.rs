//! OP Stack witnesses from a real OP-mode anvil: blocks opened by L1-attributes deposits naming
//! real L1 blocks, user deposits and transactions; each is fetched, re-executed by the OP STF (its
//! hash reproduced), and a run of them is proven as one output-root transition.

use alloy::providers::{Provider, ProviderBuilder};
use phat_devkit::{Anvil, DEV_KEY, L1Ref, OpTraffic, op_l2_chain_config, spawn_op_l2};
use phat_prover_core::{LocalSigner, ProofDomain, Signer, StfError, op::output_root_v0};
use phat_witness::{
    op::{fetch_op_witness, op_input},
    prove::prove_op_output,
};

const L2_CHAIN_ID: u64 = 901;

#[tokio::test(flavor = "multi_thread")]
async fn op_blocks_from_a_node_are_proven_as_output_roots() {
    let l1 = Anvil::spawn(&[]).unwrap();
    let l2 = spawn_op_l2(L2_CHAIN_ID).unwrap();
    let l1_provider = ProviderBuilder::new().connect_http(l1.url.parse().unwrap());
    let l2_provider = ProviderBuilder::new().connect_http(l2.url.parse().unwrap());
    let chain = op_l2_chain_config(L2_CHAIN_ID);
    let mut traffic = OpTraffic::start(&l2.url, DEV_KEY).await.unwrap();
    let mut origins = Vec::new();
    for i in 0..7 {
        if i % 2 == 0 {
            l1_provider.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.unwrap();
        }
        let origin = L1Ref::latest(&l1_provider).await.unwrap();
        traffic.block(&origin).await.unwrap();
        origins.push(origin);
    }

    // Block 1 keeps anvil's genesis base fee (not EIP-1559's): the STF refuses it. From 2 on, every
    // block reproduces the node's hash, names its L1 origin and has an output root.
    let file = fetch_op_witness(&l2.url, 1, &chain).await.unwrap();
    let err = phat_prover_core::op::execute(&chain, &op_input(&file, &chain).unwrap()).unwrap_err();
    assert!(matches!(err, StfError::Header(phat_prover_core::HeaderError::BaseFee { .. })), "{err}");
    let mut files = Vec::new();
    for number in 2..=7u64 {
        let file = fetch_op_witness(&l2.url, number, &chain).await.unwrap();
        let outcome = phat_prover_core::op::execute(&chain, &op_input(&file, &chain).unwrap())
            .unwrap_or_else(|e| panic!("block {number}: {e}"));
        let node = l2_provider.get_block_by_number(number.into()).await.unwrap().unwrap().header;
        assert_eq!(outcome.block.block_hash, node.hash, "block {number}");
        assert_eq!(outcome.l1_origin.hash, origins[number as usize - 1].hash, "block {number}");
        let message_passer = outcome.message_passer_root.expect("the fetcher adds the message passer's path");
        assert_eq!(Some(message_passer), node.withdrawals_root);
        assert_eq!(outcome.output_root(), Some(output_root_v0(node.state_root, message_passer, node.hash)));
        files.push(file);
    }

    // The devnet relaxation is bound to its config: the same block under the real OP rules (EIP-1559
    // parameters from the parent's extraData) is refused, and the two configs hash apart.
    let strict = phat_prover_core::op::OpChainConfig::new(phat_prover_core::op::OpChainConfigParts {
        devnet_anvil: false,
        ..phat_devkit::op::op_l2_chain_parts(L2_CHAIN_ID)
    })
    .unwrap();
    assert_ne!(strict.hash(), chain.hash());
    let err = phat_prover_core::op::execute(&strict, &op_input(&files[0], &strict).unwrap()).unwrap_err();
    assert!(matches!(err, StfError::Op(phat_prover_core::OpBlockError::ParentExtraData)), "{err}");

    // The blocks paid OP's fees: the L1 data fee and the operator fee reached their vaults.
    for vault in &phat_witness::op::FEE_VAULTS {
        assert!(l2_provider.get_balance(*vault).await.unwrap() > alloy::primitives::U256::ZERO, "{vault}");
    }

    // One proof over blocks 2..=7: from block 1's output root to block 7's, the L1 origin of 7.
    let signer = LocalSigner::from_bytes(&alloy::primitives::B256::repeat_byte(7)).unwrap();
    let domain = ProofDomain {
        l1_chain_id: 31337,
        verifier: Default::default(),
        l2_chain_id: L2_CHAIN_ID,
        prover: signer.address(),
    };
    let proof = prove_op_output(&chain, &domain, &signer, &files).unwrap();
    let b1 = l2_provider.get_block_by_number(1.into()).await.unwrap().unwrap().header;
    let b7 = l2_provider.get_block_by_number(7.into()).await.unwrap().unwrap().header;
    assert_eq!(proof.starting_block, 1);
    assert_eq!(proof.starting_output_root, output_root_v0(b1.state_root, b1.withdrawals_root.unwrap(), b1.hash));
    assert_eq!(proof.ending_output_root, output_root_v0(b7.state_root, b7.withdrawals_root.unwrap(), b7.hash));
    assert_eq!(proof.l1_origin_hash, origins[6].hash);
    proof.check((&domain, chain.hash()), 2, 7, signer.address()).unwrap();
    assert!(proof.check((&domain, chain.hash()), 2, 6, signer.address()).is_err());
    // Blocks out of order are no transition.
    let mut shuffled = files.clone();
    shuffled.swap(1, 2);
    assert!(prove_op_output(&chain, &domain, &signer, &shuffled).is_err());
}
