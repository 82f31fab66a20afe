//! Collateral fetched from a PCCS when the request brings none. Intel's PCS / a PCCS is outside
//! the system: a stand-in serves the test PKI's collateral over PCCS API v4 (paths, issuer-chain
//! headers, hex root CA CRL) on loopback.

use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, address};
use axum::{Router, http::header::HeaderMap, routing::get};
use dcap_qvl::QuoteCollateralV3;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use phat_attestation::{TcbStatus, Verifier};
use phat_attestation_testkit::testkit::{Enclave, TestPki};
use phat_quorum::{AttestRequest, Config, Quorum, Registration};

const CHAIN_ID: u64 = 31_337;
const REGISTRY: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// PCCS API v4's issuer-chain header `name`, carrying `pem` (URL-encoded).
pub(super) fn issuer_chain(name: &'static str, pem: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(name, utf8_percent_encode(pem, NON_ALPHANUMERIC).to_string().parse().expect("header"));
    h
}

/// `router` (which serves the PCK CRL and root CA CRL routes: callers instrument them) with the
/// TCB info and QE identity routes of a PCCS stand-in serving `c`.
pub(super) fn with_tcb_and_identity(router: Router, c: &Arc<QuoteCollateralV3>) -> Router {
    let (b, d) = (c.clone(), c.clone());
    router
        .route(
            "/sgx/certification/v4/tcb",
            get(move || async move {
                let body =
                    format!(r#"{{"tcbInfo":{},"signature":"{}"}}"#, b.tcb_info, hex::encode(&b.tcb_info_signature));
                (issuer_chain("TCB-Info-Issuer-Chain", &b.tcb_info_issuer_chain), body)
            }),
        )
        .route(
            "/sgx/certification/v4/qe/identity",
            get(move || async move {
                let body = format!(
                    r#"{{"enclaveIdentity":{},"signature":"{}"}}"#,
                    d.qe_identity,
                    hex::encode(&d.qe_identity_signature)
                );
                (issuer_chain("SGX-Enclave-Identity-Issuer-Chain", &d.qe_identity_issuer_chain), body)
            }),
        )
}

/// A PCCS stand-in serving `c`.
async fn pccs_stand_in(c: QuoteCollateralV3) -> String {
    let c = Arc::new(c);
    let (a, e) = (c.clone(), c.clone());
    let router = Router::new()
        .route(
            "/sgx/certification/v4/pckcrl",
            get(move || async move {
                (issuer_chain("SGX-PCK-CRL-Issuer-Chain", &a.pck_crl_issuer_chain), a.pck_crl.clone())
            }),
        )
        .route("/sgx/certification/v4/rootcacrl", get(move || async move { hex::encode(&e.root_ca_crl) }));
    serve(with_tcb_and_identity(router, &c)).await
}

async fn quorum(pki: &TestPki, pccs: Option<String>) -> String {
    let mut config = Config::new(CHAIN_ID, REGISTRY, Address::repeat_byte(0xad));
    config.pccs_url = pccs;
    let q = Quorum::new(config, Verifier::with_root_ca(pki.root_ca_der()), PrivateKeySigner::random()).expect("quorum");
    serve(Arc::new(q).router()).await
}

fn request(pki: &TestPki) -> AttestRequest {
    let r = Registration {
        prover: Address::repeat_byte(0x11),
        beneficiary: Address::repeat_byte(0x22),
        l1_block_number: 3,
        l1_block_hash: alloy_primitives::B256::repeat_byte(3),
    };
    let enclave = Enclave::new([1; 32], [2; 32], 1, 1).reporting(r.binding(CHAIN_ID, REGISTRY).report_data());
    AttestRequest {
        quote: pki.quote(&enclave).expect("quote").into(),
        collateral: None,
        registration: r,
        event_log: None,
        verified_at: None,
    }
}

async fn post(url: &str, req: &AttestRequest) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new().post(format!("{url}/v1/attest")).json(req).send().await.expect("post");
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn without_collateral_the_service_fetches_it_from_its_pccs() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    let pccs = pccs_stand_in(pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral")).await;
    let url = quorum(&pki, Some(pccs)).await;
    let (status, body) = post(&url, &request(&pki)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attestation"]["tcbStatus"], 0);
}

#[tokio::test]
async fn a_pccs_serving_revoked_tampered_or_nothing_yields_no_signature() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    // The PCCS says the platform is Revoked: refused.
    let revoked = pccs_stand_in(pki.collateral(TcbStatus::Revoked, &[]).expect("collateral")).await;
    let (status, body) = post(&quorum(&pki, Some(revoked)).await, &request(&pki)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("Revoked"), "{body}");
    // A tampered TCB info (OutOfDate edited to UpToDate): its signature breaks.
    let mut tampered = pki.collateral(TcbStatus::OutOfDate, &[]).expect("collateral");
    tampered.tcb_info = tampered.tcb_info.replace("OutOfDate", "UpToDate");
    let (status, body) = post(&quorum(&pki, Some(pccs_stand_in(tampered).await)).await, &request(&pki)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("tcb_info"), "{body}");
    // Nothing listening: 502.
    let (status, body) = post(&quorum(&pki, Some("http://127.0.0.1:9".into())).await, &request(&pki)).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.get("signature").is_none());
    // No PCCS and no collateral: 400.
    let (status, body) = post(&quorum(&pki, None).await, &request(&pki)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("no collateral"), "{body}");
}

#[tokio::test]
async fn a_pccs_streaming_an_endless_body_is_cut_off_at_the_cap() {
    let pki = TestPki::new(now() - 3600, now() + 3600).expect("pki");
    // 32 KiB chunks without end and without a content-length: only a running count stops it
    // (reading the whole body first would wait until the verify timeout, 503).
    let endless = serve(Router::new().fallback(|| async {
        let mut h = HeaderMap::new();
        for name in ["SGX-PCK-CRL-Issuer-Chain", "TCB-Info-Issuer-Chain", "SGX-Enclave-Identity-Issuer-Chain"] {
            h.insert(name, "x".parse().expect("header"));
        }
        let chunks = futures_util::stream::repeat_with(|| Ok::<_, std::io::Error>(vec![b'0'; 32 * 1024]));
        (h, axum::body::Body::from_stream(chunks))
    }))
    .await;
    let (status, body) = post(&quorum(&pki, Some(endless)).await, &request(&pki)).await;
    assert_eq!(status, 502, "{body}");
    assert!(body["error"].as_str().unwrap().contains("too large"), "{body}");
    assert!(body.get("signature").is_none());
}
