//! A real L2 block end to end: anvil (Prague), real transactions — transfers to fresh accounts,
//! contract deployments, storage writes and overwrites — then every block from 2 on goes through
//! `phat-prover witness` → `prove` → `verify`, as a user runs them.

use super::common;

use common::{Dir, anvil_chain_config, chain_config, phat_prover, prove, signer};

use phat_devkit::{Anvil, DEV_KEY, Traffic};
use phat_witness::ProofFile;

#[tokio::test(flavor = "multi_thread")]
async fn anvil_blocks_prove_and_verify_through_the_cli() {
    let anvil = Anvil::spawn(&["--hardfork", "prague", "--chain-id", "167001"]).expect("anvil");
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    let mut kinds = Vec::new();
    for _ in 0..11 {
        kinds.push(traffic.step().await.expect("tx"));
    }
    assert!(kinds.iter().any(|k| k.starts_with("deploy")));
    assert!(kinds.iter().any(|k| k.starts_with("transfer")));
    assert!(kinds.iter().any(|k| k.starts_with("store")));
    assert!(kinds.iter().any(|k| k.starts_with("overwrite")));
    let head = traffic.head().await.expect("head");
    assert!(head >= 11);

    let dir = Dir::new("anvil");
    let config = anvil_chain_config(&dir, 167001);
    let signer = signer();
    for block in 2..=head {
        let (w, p) = (dir.path(&format!("w{block}.json")), dir.path(&format!("p{block}.json")));
        let run = phat_prover(&[
            "witness",
            "--rpc",
            &anvil.url,
            "--block",
            &block.to_string(),
            "--chain-config",
            config.to_str().expect("utf8"),
            "--out",
            w.to_str().expect("utf8"),
        ]);
        assert!(run.ok, "witness {block}: {}", run.stderr);
        let run = prove(&w, &config, &p);
        assert!(run.ok, "prove {block}: {}", run.stderr);
        let run = phat_prover(&["verify", "--proof", p.to_str().expect("utf8"), "--signer", &signer.to_string()]);
        assert!(run.ok, "verify {block}: {}", run.stderr);
        // The proof speaks of the block the node has.
        let proof: ProofFile = serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
        assert_eq!(proof.public_input.block_number, block);
        assert_eq!(proof.public_input.l2_chain_id, 167001);
        assert_eq!(proof.public_input.prover, signer);
        assert_eq!(proof.public_input.chain_config_hash, phat_devkit::l2_chain_config(167001).hash());
    }
    // The rules are the configuration's: the same node's block under a config that says Cancun
    // (no requests hash), that names another chain, or that is Prague's without the devnet rule
    // (anvil deploys no EIP-7002 contract, which Prague requires) is refused; nothing is signed.
    let w = dir.path("w2.json");
    for (config, expected) in [
        (chain_config(&dir, 167001, "cancun"), "requests hash is present"),
        (chain_config(&dir, 5, "prague"), "chain 167001"),
        (chain_config(&dir, 167001, "prague"), "system contract has no code"),
    ] {
        let p = dir.path("refused.json");
        let run = prove(&w, &config, &p);
        assert!(!run.ok && run.stderr.contains(expected), "{}", run.stderr);
        assert!(!p.exists());
    }
    let run = phat_prover(&[
        "witness",
        "--rpc",
        &anvil.url,
        "--block",
        "2",
        "--chain-config",
        anvil_chain_config(&dir, 5).to_str().expect("utf8"),
    ]);
    assert!(!run.ok && run.stderr.contains("the node serves chain 167001"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_rpc_is_one_error_line() {
    let dir = Dir::new("unreachable");
    let config = chain_config(&dir, 1, "prague");
    let run = phat_prover(&[
        "witness",
        "--rpc",
        "http://127.0.0.1:1",
        "--block",
        "2",
        "--chain-config",
        config.to_str().expect("utf8"),
    ]);
    assert!(!run.ok);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: rpc"), "{}", run.stderr);
}
