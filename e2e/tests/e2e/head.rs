//! A proposing relayer takes its blocks from the L2 node's `safe` block — for a rollup node, what
//! derives from the rollup's L1 data — never from its `latest` (devnet mode only). anvil's safe
//! block trails its latest by an epoch (32 blocks).

use std::{sync::Arc, time::Duration};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::U256,
    providers::{Provider, ProviderBuilder},
};
use phat_devkit::{DEV_KEY, Traffic};
use phat_e2e::Devnet;
use phat_l1::RollupSettlement;
use phat_relayer::{config::HeadTag, prover::TeeProver};

use super::devnet::{finalized, repo, run_relayer, temp_db, until_finalized};

#[tokio::test(flavor = "multi_thread")]
async fn a_proposing_relayer_goes_no_further_than_the_nodes_safe_block() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let db = temp_db("safe-head");
    let l2 = ProviderBuilder::new().connect_http(devnet.l2.url.parse().expect("url"));
    let number = |tag: BlockNumberOrTag| {
        let l2 = l2.clone();
        async move { l2.get_block_by_number(tag).await.expect("rpc").map_or(0, |b| b.header.number) }
    };
    let mut mine = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("config");
    (config.l2.head, config.relayer.devnet, config.relayer.batch_blocks) = (HeadTag::Safe, false, 8);
    config.check().expect("a production head");
    let prover = vec![Arc::new(devnet.local_prover(0).expect("prover")) as Arc<dyn TeeProver>];
    let running = run_relayer(&config, prover).await;
    let settlement = RollupSettlement::new(
        devnet.addresses.settlement,
        ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url")),
    );
    let last_proposed = || async {
        let count = settlement.proposalCount().call().await.expect("count");
        settlement.proposalOf(count - U256::from(1)).call().await.expect("proposal").lastBlock
    };

    // The new blocks are latest, not safe yet: nothing is proposed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(number(BlockNumberOrTag::Latest).await > phat_e2e::devnet::GENESIS_BLOCK);
    assert!(number(BlockNumberOrTag::Safe).await <= phat_e2e::devnet::GENESIS_BLOCK);
    assert_eq!(last_proposed().await, phat_e2e::devnet::GENESIS_BLOCK, "nothing past the safe block");

    // An epoch later the first blocks are safe: they are proposed and finalized, the rest are not.
    // (12 s apart, as a chain's blocks are: each timestamp after its parent's)
    l2.raw_request::<_, serde_json::Value>("anvil_mine".into(), (40, 12)).await.expect("mine");
    let safe = number(BlockNumberOrTag::Safe).await;
    let latest = number(BlockNumberOrTag::Latest).await;
    assert!(safe > phat_e2e::devnet::GENESIS_BLOCK && latest > safe, "safe {safe}, latest {latest}");
    until_finalized(&devnet, safe, 90).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let proposed = last_proposed().await;
    assert!(proposed <= number(BlockNumberOrTag::Safe).await, "proposed {proposed} past the safe block");
    assert!(finalized(&devnet).await < latest);
    running.stop().await;
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}
