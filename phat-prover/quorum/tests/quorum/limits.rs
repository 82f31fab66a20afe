//! The request limits: a burst over the rate gets 429 with `Retry-After` while the requests within
//! it are signed; no more verifications run at once than configured (the others get 429 at once);
//! an L1 node that never answers holds no verification slot for longer than the timeout.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, address};
use axum::{Router, routing::get};
use phat_attestation::{Collateral, TcbStatus, Verifier};
use phat_attestation_testkit::testkit::{Enclave, TestPki};
use phat_quorum::{AttestRequest, Config, Quorum, Registration};

use super::pccs::{issuer_chain, with_tcb_and_identity};

const CHAIN_ID: u64 = 31_337;
const REGISTRY: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { phat_process::http::serve(listener, router, Default::default()).await });
    url
}

async fn quorum(pki: &TestPki, config: Config) -> String {
    let q = Quorum::new(config, Verifier::with_root_ca(pki.root_ca_der()), PrivateKeySigner::random()).expect("quorum");
    serve(Arc::new(q).router()).await
}

fn registration() -> Registration {
    Registration {
        prover: Address::repeat_byte(0x11),
        beneficiary: Address::repeat_byte(0x22),
        l1_block_number: 3,
        l1_block_hash: B256::repeat_byte(3),
    }
}

/// A valid request; with its collateral, or for the service's PCCS to supply it.
fn request(pki: &TestPki, with_collateral: bool) -> AttestRequest {
    let r = registration();
    let enclave = Enclave::new([1; 32], [2; 32], 1, 1).reporting(r.binding(CHAIN_ID, REGISTRY).report_data());
    let collateral =
        with_collateral.then(|| Collateral::from_dcap(&pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral")));
    AttestRequest {
        quote: pki.quote(&enclave).expect("quote").into(),
        collateral,
        registration: r,
        event_log: None,
        verified_at: None,
    }
}

/// Status, `Retry-After` and body.
async fn post(url: &str, req: &AttestRequest) -> (u16, Option<u64>, serde_json::Value) {
    let res = reqwest::Client::new().post(format!("{url}/v1/attest")).json(req).send().await.expect("post");
    let retry_after = res.headers().get("retry-after").map(|v| v.to_str().expect("ascii").parse().expect("seconds"));
    (res.status().as_u16(), retry_after, res.json().await.unwrap_or_default())
}

/// Status and `Retry-After` of each answer (what a failing assertion shows).
fn statuses(answers: &[(u16, Option<u64>, serde_json::Value)]) -> Vec<(u16, Option<u64>)> {
    answers.iter().map(|(status, retry_after, _)| (*status, *retry_after)).collect()
}

/// `n` copies of `req` at once.
async fn burst(url: &str, req: &AttestRequest, n: usize) -> Vec<(u16, Option<u64>, serde_json::Value)> {
    futures_util::future::join_all((0..n).map(|_| post(url, req))).await
}

#[tokio::test]
async fn a_burst_over_the_rate_gets_429_with_retry_after_and_requests_within_it_are_signed() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    let mut config = Config::new(CHAIN_ID, REGISTRY, Address::repeat_byte(0xad));
    (config.rate_per_sec, config.rate_burst, config.max_in_flight) = (1, 3, 64);
    let url = quorum(&pki, config).await;
    let req = request(&pki, true);

    // 10 valid requests at once against a bucket of 3: 3 signed (4 if a token came back meanwhile),
    // the others refused at once, each saying when to come back.
    let answers = burst(&url, &req, 10).await;
    let signed = answers.iter().filter(|(status, ..)| *status == 200).count();
    assert!((3..=4).contains(&signed), "{:?}", statuses(&answers));
    for (status, retry_after, body) in &answers {
        if *status == 200 {
            assert!(body.get("signature").is_some(), "{body}");
            continue;
        }
        assert_eq!(*status, 429, "{body}");
        assert_eq!(*retry_after, Some(1), "{body}");
        assert!(body["error"].as_str().unwrap().contains("rate limit"), "{body}");
        assert!(body.get("signature").is_none(), "{body}");
    }
    // A request within the rate, after the Retry-After: signed. Bursting again: refused again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, body) = post(&url, &req).await;
    assert_eq!(status, 200, "{body}");
    let answers = burst(&url, &req, 4).await;
    assert!(answers.iter().filter(|(status, ..)| *status == 429).count() >= 2, "{:?}", statuses(&answers));
    // The info route is not rate limited.
    for _ in 0..5 {
        assert_eq!(reqwest::get(format!("{url}/v1/info")).await.expect("info").status(), 200);
    }
}

/// A PCCS stand-in that serves `pki`'s collateral, its first answer to each fetch after `delay`,
/// counting the fetches in progress (`now`) and the most at once (`most`).
async fn slow_pccs(pki: &TestPki, delay: Duration, now: Arc<AtomicUsize>, most: Arc<AtomicUsize>) -> String {
    let c = Arc::new(pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral"));
    let (a, e) = (c.clone(), c.clone());
    let (now_a, now_e) = (now.clone(), now);
    let router = Router::new()
        // dcap-qvl asks for the PCK CRL first and the root CA CRL last.
        .route(
            "/sgx/certification/v4/pckcrl",
            get(move || async move {
                let in_flight = now_a.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(in_flight, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                (issuer_chain("SGX-PCK-CRL-Issuer-Chain", &a.pck_crl_issuer_chain), a.pck_crl.clone())
            }),
        )
        .route(
            "/sgx/certification/v4/rootcacrl",
            get(move || async move {
                now_e.fetch_sub(1, Ordering::SeqCst);
                hex::encode(&e.root_ca_crl)
            }),
        );
    let router = with_tcb_and_identity(router, &c);
    serve(router).await
}

#[tokio::test]
async fn no_more_verifications_run_at_once_than_configured() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    let (in_progress, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let pccs = slow_pccs(&pki, Duration::from_millis(1500), in_progress.clone(), most.clone()).await;
    let mut config = Config::new(CHAIN_ID, REGISTRY, Address::repeat_byte(0xad));
    config.pccs_url = Some(pccs);
    (config.max_in_flight, config.rate_per_sec, config.rate_burst) = (2, 1000, 1000);
    let url = quorum(&pki, config).await;
    // Without collateral: each verification fetches it, and the PCCS takes 1.5 s to answer.
    let req = request(&pki, false);

    // 6 at once: 2 run (and are signed), 4 are refused at once rather than queued.
    let started = Instant::now();
    let answers = burst(&url, &req, 6).await;
    let signed = answers.iter().filter(|(status, ..)| *status == 200).count();
    assert_eq!(signed, 2, "{:?}", statuses(&answers));
    for (status, retry_after, body) in answers.iter().filter(|(status, ..)| *status != 200) {
        assert_eq!(*status, 429, "{body}");
        assert_eq!(*retry_after, Some(1), "{body}");
        assert!(body["error"].as_str().unwrap().contains("busy"), "{body}");
        assert!(body.get("signature").is_none(), "{body}");
    }
    assert_eq!(most.load(Ordering::SeqCst), 2, "verifications at once at the PCCS");
    assert!(started.elapsed() < Duration::from_secs(10), "the refused ones did not wait: {:?}", started.elapsed());
    // The slots are free again: the next two are signed.
    let answers = burst(&url, &req, 2).await;
    assert!(answers.iter().all(|(status, ..)| *status == 200), "{:?}", statuses(&answers));
    assert_eq!(most.load(Ordering::SeqCst), 2);
    assert_eq!(in_progress.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_l1_node_that_never_answers_holds_no_slot_past_the_timeout() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    // Accepts connections and reads nothing, answers nothing.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let l1 = format!("http://{}", mute.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = mute.accept().await {
            held.push(stream);
        }
    });
    let mut config = Config::new(CHAIN_ID, REGISTRY, Address::repeat_byte(0xad));
    config.l1_rpc = Some(l1);
    config.verify_timeout = Duration::from_secs(1);
    config.max_in_flight = 1;
    let url = quorum(&pki, config).await;
    let req = request(&pki, true);
    // One slot, taken in turn: each request gets the L1 node's timeout, none a 429.
    for _ in 0..3 {
        let started = Instant::now();
        let (status, _, body) =
            tokio::time::timeout(Duration::from_secs(10), post(&url, &req)).await.expect("an answer within 10 s");
        assert_eq!(status, 502, "{body}");
        assert!(body["error"].as_str().unwrap().contains("no answer within 1 s"), "{body}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}
