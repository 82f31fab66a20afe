//! The quorum service over HTTP on loopback, with quotes of the test PKI: a signature only for a
//! genuine quote that binds the registration and passes the policy; 4xx and a reason otherwise.

use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, Signature, address};
use alloy_sol_types::SolStruct;
use phat_attestation::{Collateral, Measurement, Policy, TcbStatus, Verifier, quorum_domain};
use phat_attestation_testkit::testkit::{Enclave, TestPki};
use phat_quorum::{AttestRequest, AttestResponse, Config, Quorum, Registration};

const CHAIN_ID: u64 = 31_337;
const REGISTRY: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");
const ADAPTER: Address = address!("e7f1725E7734CE288F8367e1Bb143E90bb3F0512");

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

fn enclave() -> Enclave {
    Enclave::new([0xe1; 32], [0x51; 32], 7, 3)
}

fn registration() -> Registration {
    Registration {
        prover: address!("1111111111111111111111111111111111111111"),
        beneficiary: address!("2222222222222222222222222222222222222222"),
        l1_block_number: 9,
        l1_block_hash: B256::repeat_byte(9),
    }
}

fn report_data(r: &Registration) -> [u8; 64] {
    r.binding(CHAIN_ID, REGISTRY).report_data()
}

struct Running {
    url: String,
    signer: Address,
    pki: TestPki,
}

async fn start() -> Running {
    let pki = TestPki::new(now() - 3600, now() + 86_400).expect("test pki");
    let mut config = Config::new(CHAIN_ID, REGISTRY, ADAPTER);
    config.policy = Policy {
        measurements: Some(vec![Measurement {
            mr_enclave: B256::repeat_byte(0xe1),
            mr_signer: B256::repeat_byte(0x51),
            isv_prod_id: 7,
            isv_svn: 3,
        }]),
        ..Policy::default()
    };
    config.max_body_bytes = 64 * 1024;
    let quorum =
        Quorum::new(config, Verifier::with_root_ca(pki.root_ca_der()), PrivateKeySigner::random()).expect("quorum");
    let signer = quorum.signer();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, Arc::new(quorum).router()).await });
    Running { url, signer, pki }
}

fn request(pki: &TestPki, enclave: &Enclave, status: TcbStatus, r: Registration) -> AttestRequest {
    AttestRequest {
        quote: pki.quote(enclave).expect("quote").into(),
        collateral: Some(Collateral::from_dcap(&pki.collateral(status, &[]).expect("collateral"))),
        registration: r,
        event_log: None,
        verified_at: None,
    }
}

async fn post(url: &str, body: impl Into<reqwest::Body>) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{url}/v1/attest"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn a_genuine_bound_quote_gets_an_eip712_signature_by_the_operator() {
    let q = start().await;
    let r = registration();
    let req = request(&q.pki, &enclave().reporting(report_data(&r)), TcbStatus::UpToDate, r);
    let (status, body) = post(&q.url, serde_json::to_vec(&req).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let res: AttestResponse = serde_json::from_value(body).expect("response");
    assert_eq!(res.signer, q.signer);
    assert_eq!(res.digest, res.attestation.eip712_signing_hash(&quorum_domain(CHAIN_ID, ADAPTER)));
    let sig = Signature::try_from(res.signature.as_ref()).expect("65 bytes");
    assert_eq!(sig.recover_address_from_prehash(&res.digest).expect("recovers"), q.signer);
    assert_eq!(res.attestation.reportData.as_ref(), report_data(&r));
    assert!(res.attestation.verifiedAt.abs_diff(now()) < 60);

    let info: serde_json::Value =
        reqwest::get(format!("{}/v1/info", q.url)).await.expect("info").json().await.expect("json");
    assert_eq!(info["signer"], serde_json::to_value(q.signer).unwrap());
    assert!(info["root"].as_str().unwrap().contains("test PKI"));
}

#[tokio::test]
async fn hostile_or_unacceptable_requests_get_4xx_and_no_signature() {
    let q = start().await;
    let r = registration();
    let good = enclave().reporting(report_data(&r));
    let refused = |(status, body): (u16, serde_json::Value), want: u16, says: &str| {
        assert_eq!(status, want, "{body}");
        assert!(body.get("signature").is_none(), "{body}");
        let error = body["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(says), "{error:?} should say {says:?}");
    };

    // Malformed JSON, unknown fields, bad hex, oversized bodies.
    refused(post(&q.url, "{not json").await, 400, "bad request");
    let mut extra = serde_json::to_value(request(&q.pki, &good, TcbStatus::UpToDate, r)).unwrap();
    extra["sign_anyway"] = true.into();
    refused(post(&q.url, extra.to_string()).await, 400, "unknown field");
    let mut bad_hex = serde_json::to_value(request(&q.pki, &good, TcbStatus::UpToDate, r)).unwrap();
    bad_hex["quote"] = "0xzz".into();
    refused(post(&q.url, bad_hex.to_string()).await, 400, "bad request");
    let (status, _) = post(&q.url, vec![b' '; 65 * 1024]).await;
    assert_eq!(status, 413);

    // Garbage and truncated quotes.
    let mut garbage = request(&q.pki, &good, TcbStatus::UpToDate, r);
    garbage.quote = vec![0u8; 600].into();
    refused(post(&q.url, serde_json::to_vec(&garbage).unwrap()).await, 422, "quote verification failed");
    let mut cut = request(&q.pki, &good, TcbStatus::UpToDate, r);
    cut.quote = cut.quote[..cut.quote.len() / 2].to_vec().into();
    refused(post(&q.url, serde_json::to_vec(&cut).unwrap()).await, 422, "quote verification failed");

    // A quote bound to another prover.
    let other = Registration { prover: address!("3333333333333333333333333333333333333333"), ..r };
    let wrong = request(&q.pki, &good, TcbStatus::UpToDate, other);
    refused(post(&q.url, serde_json::to_vec(&wrong).unwrap()).await, 422, "binding");

    // DEBUG enclave, Revoked platform, a status the policy refuses, an untrusted measurement.
    let debug = request(&q.pki, &good.debug(), TcbStatus::UpToDate, r);
    refused(post(&q.url, serde_json::to_vec(&debug).unwrap()).await, 422, "Debug");
    let revoked = request(&q.pki, &good, TcbStatus::Revoked, r);
    refused(post(&q.url, serde_json::to_vec(&revoked).unwrap()).await, 422, "Revoked");
    let outdated = request(&q.pki, &good, TcbStatus::OutOfDate, r);
    refused(post(&q.url, serde_json::to_vec(&outdated).unwrap()).await, 422, "OutOfDate");
    let stranger = Enclave { isv_svn: 2, ..good };
    let untrusted = request(&q.pki, &stranger, TcbStatus::UpToDate, r);
    refused(post(&q.url, serde_json::to_vec(&untrusted).unwrap()).await, 422, "measurement not allowed");

    // A quote of another PKI (another root): not genuine here (its embedded root is not the pinned one).
    let foreign = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    let alien = request(&foreign, &good, TcbStatus::UpToDate, r);
    refused(post(&q.url, serde_json::to_vec(&alien).unwrap()).await, 422, "not the pinned root");

    // And the service still signs a good one afterwards.
    let ok = request(&q.pki, &good, TcbStatus::UpToDate, r);
    assert_eq!(post(&q.url, serde_json::to_vec(&ok).unwrap()).await.0, 200);
}

#[tokio::test]
async fn an_unreachable_l1_node_yields_no_signature() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("test pki");
    let r = registration();
    let req = request(&pki, &enclave().reporting(report_data(&r)), TcbStatus::UpToDate, r);
    let serve = |config: Config| {
        let quorum =
            Quorum::new(config, Verifier::with_root_ca(pki.root_ca_der()), PrivateKeySigner::random()).expect("quorum");
        async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("addr"));
            tokio::spawn(async move { axum::serve(listener, Arc::new(quorum).router()).await });
            url
        }
    };
    // An L1 node to check the binding's block against, but nothing listening: 502.
    let mut blind = Config::new(CHAIN_ID, REGISTRY, ADAPTER);
    blind.l1_rpc = Some("http://127.0.0.1:9".into());
    let (status, body) = post(&serve(blind).await, serde_json::to_vec(&req).unwrap()).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.get("signature").is_none() && body["error"].as_str().unwrap().contains("L1 node"), "{body}");
}
