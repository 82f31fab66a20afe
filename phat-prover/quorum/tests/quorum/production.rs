//! The `phat-quorum` binary as an operator runs it: no flag for a test root CA or the L1 head's
//! clock, the key from a file or the environment only, Intel's root only; and the test PKI absent
//! from its dependency tree (`cargo tree`), in the production build and in the workspace build.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, address};
use phat_attestation::{Collateral, TcbStatus};
use phat_attestation_testkit::testkit::{Enclave, TestPki};
use phat_quorum::{AttestRequest, Registration};

const BIN: &str = env!("CARGO_BIN_EXE_phat-quorum");
const CHAIN_ID: u64 = 31_337;
const REGISTRY: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");
/// A key for tests only (anvil's account 5).
const KEY: &str = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

/// `phat-quorum` with the required arguments and `extra`, its environment cleared of a key and
/// of log settings (`env` adds to it).
fn command(extra: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["--listen", "127.0.0.1:0", "--chain-id", &CHAIN_ID.to_string(), "--registry"])
        .arg(REGISTRY.to_string())
        .args(["--adapter", "0x00000000000000000000000000000000000000ad"])
        .args(extra)
        .env_remove("PHAT_QUORUM_KEY")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `cmd`, expecting it to exit within 30 s; its status and stderr.
fn exits(mut cmd: Command) -> (ExitStatus, String) {
    let mut child = cmd.spawn().expect("spawn phat-quorum");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().expect("stderr"), &mut stderr).expect("stderr");
            return (status, stderr);
        }
        if Instant::now() > deadline {
            child.kill().expect("kill");
            let _ = child.wait();
            panic!("phat-quorum {:?} did not exit: it started", cmd.get_args().collect::<Vec<_>>());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running `phat-quorum`, stopped when dropped.
struct Running {
    child: Child,
    url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` and waits for its "listening" log line (its address).
fn start(mut cmd: Command) -> Running {
    let mut child = cmd.spawn().expect("spawn phat-quorum");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut running = Running { child, url: String::new() };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) else {
            if let Some(status) = running.child.try_wait().expect("wait") {
                let mut stderr = String::new();
                let _ = std::io::Read::read_to_string(running.child.stderr.as_mut().expect("stderr"), &mut stderr);
                panic!("phat-quorum exited with {status}: {stderr}");
            }
            continue;
        };
        if line.contains("listening") {
            let addr = line.split("addr=").nth(1).and_then(|s| s.split_whitespace().next()).expect("addr= in the log");
            running.url = format!("http://{addr}");
            return running;
        }
    }
    panic!("phat-quorum did not say it listens");
}

/// A fresh folder of this test run.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("phat-quorum-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp folder");
    dir
}

/// Writes `text` to `dir/name` with `mode`.
fn file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

fn key_address() -> Address {
    KEY.parse::<PrivateKeySigner>().expect("key").address()
}

async fn info(url: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/v1/info")).await.expect("info").json().await.expect("json")
}

#[test]
fn the_binary_has_no_flag_for_a_test_root_the_l1_clock_or_a_key_value() {
    let dir = folder("flags");
    let root = file(&dir, "root.der", "not a certificate", 0o644);
    let key_file = file(&dir, "key", KEY, 0o600);
    let key_file = key_file.to_str().unwrap();
    for extra in [
        vec!["--key-file", key_file, "--test-root-ca", root.to_str().unwrap()],
        vec!["--key-file", key_file, "--l1-rpc", "http://127.0.0.1:9", "--l1-clock"],
        vec!["--key", KEY],
        vec!["--key-file", key_file, "--key", KEY],
    ] {
        let flag = extra.iter().rev().find(|a| a.starts_with("--")).unwrap().to_string();
        let (status, stderr) = exits(command(&extra, &[]));
        assert_eq!(status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(&format!("unexpected argument '{flag}'")), "{extra:?}: {stderr}");
    }
    // Nor does its help know of them.
    let out = Command::new(BIN).arg("--help").output().expect("help");
    let help = String::from_utf8(out.stdout).expect("utf-8");
    assert!(help.contains("--key-file") && help.contains("PHAT_QUORUM_KEY"), "{help}");
    for absent in ["root-ca", "l1-clock", "--key ", "--key <"] {
        assert!(!help.contains(absent), "{absent} in {help}");
    }
}

#[tokio::test]
async fn with_its_key_from_a_file_it_trusts_intels_root_only() {
    let dir = folder("intel");
    let key_file = file(&dir, "key", &format!("{KEY}\n"), 0o600);
    let q = start(command(&["--key-file", key_file.to_str().unwrap()], &[]));
    let info = info(&q.url).await;
    assert_eq!(info["signer"], serde_json::to_value(key_address()).unwrap());
    assert_eq!(info["root"], "Intel SGX Root CA");
    assert_eq!(info["clock"], "system");
    assert_eq!(info["max_in_flight"], 4);

    // A quote of a test PKI, genuine under that PKI's root, with its collateral: refused.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let pki = TestPki::new(now - 3600, now + 3600).expect("pki");
    let r = Registration {
        prover: Address::repeat_byte(0x11),
        beneficiary: Address::repeat_byte(0x22),
        l1_block_number: 3,
        l1_block_hash: B256::repeat_byte(3),
    };
    let enclave = Enclave::new([1; 32], [2; 32], 1, 1).reporting(r.binding(CHAIN_ID, REGISTRY).report_data());
    let req = AttestRequest {
        quote: pki.quote(&enclave).expect("quote").into(),
        collateral: Some(Collateral::from_dcap(&pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral"))),
        registration: r,
        event_log: None,
        verified_at: None,
    };
    let res = reqwest::Client::new().post(format!("{}/v1/attest", q.url)).json(&req).send().await.expect("post");
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not the pinned root"), "{body}");
    assert!(body.get("signature").is_none(), "{body}");
}

#[tokio::test]
async fn its_key_may_come_from_the_environment() {
    let q = start(command(&["--max-in-flight", "2"], &[("PHAT_QUORUM_KEY", KEY)]));
    let info = info(&q.url).await;
    assert_eq!(info["signer"], serde_json::to_value(key_address()).unwrap());
    assert_eq!(info["root"], "Intel SGX Root CA");
    assert_eq!(info["max_in_flight"], 2);
}

#[test]
fn a_missing_bad_or_exposed_key_is_a_clear_error() {
    let dir = folder("bad-keys");
    let fails = |extra: &[&str], env: &[(&str, &str)], says: &[&str]| {
        let (status, stderr) = exits(command(extra, env));
        assert_eq!(status.code(), Some(1), "{extra:?}: {stderr}");
        for s in says {
            assert!(stderr.contains(s), "{extra:?}: {stderr:?} should say {s:?}");
        }
        // Nothing that was read is quoted back.
        assert!(!stderr.contains("secret-material") && !stderr.contains(&KEY[2..]), "{stderr}");
        stderr
    };
    let garbage = file(&dir, "garbage", "0x1234secret-material\n", 0o600);
    let garbage = garbage.to_str().unwrap();
    fails(&["--key-file", garbage], &[], &[garbage, "not a secp256k1 private key"]);
    let short = file(&dir, "short", "0x1234", 0o600);
    fails(&["--key-file", short.to_str().unwrap()], &[], &["not a secp256k1 private key"]);
    let missing = dir.join("missing");
    fails(&["--key-file", missing.to_str().unwrap()], &[], &[missing.to_str().unwrap(), "No such file"]);
    let exposed = file(&dir, "exposed", KEY, 0o644);
    fails(&["--key-file", exposed.to_str().unwrap()], &[], &["accessible to other users (mode 644)"]);
    fails(&["--key-file", dir.to_str().unwrap()], &[], &["not a regular file"]);
    fails(&[], &[("PHAT_QUORUM_KEY", "secret-material")], &["PHAT_QUORUM_KEY: not a secp256k1 private key"]);
    fails(&[], &[], &["no signing key", "--key-file", "PHAT_QUORUM_KEY"]);
    let good = file(&dir, "good", KEY, 0o600);
    fails(&["--key-file", good.to_str().unwrap()], &[("PHAT_QUORUM_KEY", KEY)], &["given twice"]);
}

/// `cargo tree` of this workspace with `args` (host target, by the lock file; offline when the
/// packages are all here).
fn cargo_tree(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let run = |offline: bool| {
        Command::new(&cargo)
            .args(["tree", "--locked", "--prefix", "none", "--manifest-path"])
            .arg(&manifest)
            .args(offline.then_some("--offline"))
            .args(args)
            .output()
            .expect("cargo tree")
    };
    let mut out = run(true);
    if !out.status.success() {
        out = run(false);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo tree {args:?}: {stderr}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn no_build_links_the_test_pki_into_the_binary() {
    // The production build, `cargo build --release -p phat-quorum`, with every feature edge.
    let tree = cargo_tree(&["-p", "phat-quorum", "--edges", "normal,build,features"]);
    assert!(tree.contains("phat-attestation v"), "{tree}");
    for test_pki in ["phat-attestation-testkit", "rcgen", "test-pki"] {
        assert!(!tree.contains(test_pki), "{test_pki} in the production build of phat-quorum:\n{tree}");
    }
    // The workspace build (`make build`: features unified over every member, the devnet's
    // included): the test PKI reaches the devnet, not phat-quorum, nor the phat-attestation it
    // links (nor the CLI).
    let dependents = cargo_tree(&["--workspace", "--edges", "normal,build,features", "--invert", "rcgen"]);
    assert!(dependents.contains("phat-attestation-testkit v") && dependents.contains("phat-e2e v"), "{dependents}");
    for production in ["phat-quorum v", "phat-attestation v", "phat-prover-cli v"] {
        assert!(!dependents.contains(production), "{production} reaches the test PKI:\n{dependents}");
    }
    // And no feature of phat-attestation, the library the binary verifies with, reaches it.
    let all = cargo_tree(&["-p", "phat-attestation", "--all-features", "--edges", "normal,build"]);
    assert!(!all.contains("rcgen"), "{all}");
}
