//! A real L2 block end to end: anvil (Prague), real transactions — transfers to fresh accounts,
//! contract deployments, storage writes and overwrites — then every block from 2 on goes through
//! `phat-prover witness` → `prove` → `verify`, as a user runs them.

use std::{path::PathBuf, process::Command};

use phat_prover_cli::{
    anvil::{Anvil, DEV_KEY},
    files::ProofFile,
    traffic::Traffic,
};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const VERIFIER: &str = "0x00000000000000000000000000000000000a11ce";

fn phat_prover(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phat-prover")).args(args).env("RUST_LOG", "off").output().expect("run");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into())
}

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

    let dir = std::env::temp_dir().join(format!("phat-prover-anvil-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = |name: String| -> PathBuf { dir.join(name) };
    let signer = phat_prover_core::Signer::address(
        &phat_prover_core::LocalSigner::from_bytes(&KEY.parse().expect("key")).expect("key"),
    );
    for block in 2..=head {
        let (w, p) = (path(format!("w{block}.json")), path(format!("p{block}.json")));
        let (ok, err) = phat_prover(&[
            "witness",
            "--rpc",
            &anvil.url,
            "--block",
            &block.to_string(),
            "--out",
            w.to_str().expect("utf8"),
        ]);
        assert!(ok, "witness {block}: {err}");
        let (ok, err) = phat_prover(&[
            "prove",
            "--witness",
            w.to_str().expect("utf8"),
            "--key",
            KEY,
            "--verifier",
            VERIFIER,
            "--out",
            p.to_str().expect("utf8"),
        ]);
        assert!(ok, "prove {block}: {err}");
        let (ok, err) = phat_prover(&["verify", "--proof", p.to_str().expect("utf8"), "--signer", &signer.to_string()]);
        assert!(ok, "verify {block}: {err}");
        // The proof speaks of the block the node has.
        let proof: ProofFile = serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
        assert_eq!(proof.public_input.block_number, block);
        assert_eq!(proof.public_input.l2_chain_id, 167001);
        assert_eq!(proof.public_input.prover, signer);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_rpc_is_one_error_line() {
    let (ok, err) = phat_prover(&["witness", "--rpc", "http://127.0.0.1:1", "--block", "2"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: rpc"), "{err}");
}
