//! The quorum service over HTTP on loopback, with quotes of the test PKI: a signature only for a
//! genuine quote that binds the registration and passes the policy; 4xx and a reason otherwise.

use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, Signature, address};
use alloy_sol_types::SolStruct;
use phat_attestation::{Collateral, Measurement, Policy, TcbStatus, TdOwner, TdxPolicy, Verifier, quorum_domain};
use phat_attestation_testkit::{
    dstack_agent::DstackVm,
    testkit::{Enclave, TestPki},
};
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
    pki: Arc<TestPki>,
}

fn sgx_policy() -> Policy {
    Policy {
        measurements: Some(vec![Measurement {
            mr_enclave: B256::repeat_byte(0xe1),
            mr_signer: B256::repeat_byte(0x51),
            isv_prod_id: 7,
            isv_svn: 3,
        }]),
        ..Policy::default()
    }
}

async fn start() -> Running {
    let pki = TestPki::new(now() - 3600, now() + 86_400).expect("test pki");
    start_with(Arc::new(pki), sgx_policy()).await
}

/// An operator with `policy` and a fresh key, trusting `pki`'s root.
async fn start_with(pki: Arc<TestPki>, policy: Policy) -> Running {
    let mut config = Config::new(CHAIN_ID, REGISTRY, ADAPTER);
    config.policy = policy;
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

/// A TD quote of `vm` reporting `r`'s binding, with `event_log` (dstack's JSON text).
fn td_request(pki: &TestPki, vm: &DstackVm, r: Registration, event_log: Option<String>) -> AttestRequest {
    AttestRequest {
        quote: pki.td_quote(&vm.td(report_data(&r))).expect("td quote").into(),
        collateral: Some(Collateral::from_dcap(&pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral"))),
        registration: r,
        event_log,
        verified_at: None,
    }
}

/// `vm`'s event log as its guest agent serves it.
fn log_of(vm: &DstackVm) -> Option<String> {
    Some(serde_json::to_string(&vm.event_log()).expect("json"))
}

fn tdx_policy(tdx: TdxPolicy) -> Policy {
    Policy { tdx, ..sgx_policy() }
}

/// A refusal: `want`, an error saying `says`, and no signature.
fn refused((status, body): (u16, serde_json::Value), want: u16, says: &str) {
    assert_eq!(status, want, "{body}");
    assert!(body.get("signature").is_none() && body.get("attestation").is_none(), "{body}");
    let error = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains(says), "{error:?} should say {says:?}");
}

fn signed((status, body): (u16, serde_json::Value)) -> AttestResponse {
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("response")
}

#[tokio::test]
async fn a_dstack_td_quote_with_its_event_log_gets_a_tdx_attestation_signed() {
    let q = start().await;
    let r = registration();
    let vm = DstackVm::new();
    let res = signed(post(&q.url, serde_json::to_vec(&td_request(&q.pki, &vm, r, log_of(&vm))).unwrap()).await);
    let a = &res.attestation;
    assert_eq!(a.teeType, 0x81);
    assert_eq!(a.tdMeasurement, vm.measurement().hash());
    assert_eq!(a.composeHash, B256::from(vm.compose_hash));
    assert_ne!(a.composeHash, B256::ZERO);
    assert_eq!(a.tdOwner, TdOwner { mr_owner: vm.mr_owner.into(), mr_owner_config: vm.mr_owner_config.into() }.hash());
    assert!(!a.serviceTdBound);
    assert_eq!(a.attributes[..8], vm.td_attributes);
    // The SGX fields are zero.
    assert_eq!((a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn), (B256::ZERO, B256::ZERO, 0, 0));
    assert_eq!(a.reportData.as_ref(), report_data(&r));
    assert!(a.verifiedAt.abs_diff(now()) < 60);
    assert_eq!(res.signer, q.signer);
    assert_eq!(res.digest, a.eip712_signing_hash(&quorum_domain(CHAIN_ID, ADAPTER)));
    let sig = Signature::try_from(res.signature.as_ref()).expect("65 bytes");
    assert_eq!(sig.recover_address_from_prehash(&res.digest).expect("recovers"), q.signer);

    // Without an event log (the policy lists no compose hash): signed, the compose hash zero.
    let res = signed(post(&q.url, serde_json::to_vec(&td_request(&q.pki, &vm, r, None)).unwrap()).await);
    assert_eq!((res.attestation.teeType, res.attestation.composeHash), (0x81, B256::ZERO));
    assert_eq!(res.attestation.tdMeasurement, vm.measurement().hash());
}

#[tokio::test]
async fn td_quotes_the_event_log_or_the_tdx_policy_refuses_get_4xx_and_no_signature() {
    let pki = || Arc::new(TestPki::new(now() - 3600, now() + 86_400).expect("test pki"));
    let r = registration();
    let vm = DstackVm::new();
    let body =
        |pki: &TestPki, vm: &DstackVm, log: Option<String>| serde_json::to_vec(&td_request(pki, vm, r, log)).unwrap();

    let q = start().await;
    // Another VM's event log (another app: another RTMR3).
    let other = DstackVm::new().with_app_compose(r#"{"name":"another app"}"#);
    assert_ne!(other.rtmr()[3], vm.rtmr()[3]);
    refused(post(&q.url, body(&q.pki, &vm, log_of(&other))).await, 422, "RTMR3 is not the quote's");
    // A log that is not dstack's JSON.
    refused(post(&q.url, body(&q.pki, &vm, Some("not a log".into()))).await, 422, "event log");
    // A TD under debug: refused by the DCAP verification already.
    let debug = vm.clone().debug();
    refused(post(&q.url, body(&q.pki, &debug, log_of(&debug))).await, 422, "Debug");
    // A TD quote bound to another prover.
    let mut wrong = td_request(&q.pki, &vm, Registration { prover: Address::repeat_byte(3), ..r }, log_of(&vm));
    wrong.registration = r;
    refused(post(&q.url, serde_json::to_vec(&wrong).unwrap()).await, 422, "binding");
    // An event log given with an SGX quote.
    let mut sgx = request(&q.pki, &enclave().reporting(report_data(&r)), TcbStatus::UpToDate, r);
    sgx.event_log = log_of(&vm);
    refused(post(&q.url, serde_json::to_vec(&sgx).unwrap()).await, 422, "event log was given with an SGX");
    sgx.event_log = None;
    signed(post(&q.url, serde_json::to_vec(&sgx).unwrap()).await);

    // `[tdx] compose_hashes` without the app: refused; with it but no event log: refused; with
    // it and the log: signed.
    let q = start_with(
        pki(),
        tdx_policy(TdxPolicy { compose_hashes: Some(vec![B256::from(other.compose_hash)]), ..TdxPolicy::default() }),
    )
    .await;
    let says = format!("compose hash {} not allowed", B256::from(vm.compose_hash));
    refused(post(&q.url, body(&q.pki, &vm, log_of(&vm))).await, 422, &says);
    let q = start_with(
        pki(),
        tdx_policy(TdxPolicy { compose_hashes: Some(vec![B256::from(vm.compose_hash)]), ..TdxPolicy::default() }),
    )
    .await;
    refused(post(&q.url, body(&q.pki, &vm, None)).await, 422, "no event log was given");
    let res = signed(post(&q.url, body(&q.pki, &vm, log_of(&vm))).await);
    assert_eq!(res.attestation.composeHash, B256::from(vm.compose_hash));

    // `[tdx] measurements` without the VM: refused; with it: signed.
    let q = start_with(
        pki(),
        tdx_policy(TdxPolicy { measurements: Some(vec![other_os(&vm).measurement()]), ..TdxPolicy::default() }),
    )
    .await;
    let says = format!("TDX measurement {} (mr_td, rtmr0..2, mr_config_id) not allowed", vm.measurement().hash());
    refused(post(&q.url, body(&q.pki, &vm, log_of(&vm))).await, 422, &says);
    let q =
        start_with(pki(), tdx_policy(TdxPolicy { measurements: Some(vec![vm.measurement()]), ..TdxPolicy::default() }))
            .await;
    signed(post(&q.url, body(&q.pki, &vm, log_of(&vm))).await);
}

/// `vm` on another OS image (another firmware): another measurement.
fn other_os(vm: &DstackVm) -> DstackVm {
    let mut other = vm.clone();
    other.mr_td[0] ^= 0xff;
    assert_ne!(other.measurement(), vm.measurement());
    other
}

#[tokio::test]
async fn a_requested_verification_time_near_the_operators_clock_makes_operators_sign_the_same_digest() {
    let pki = Arc::new(TestPki::new(now() - 3600, now() + 86_400).expect("test pki"));
    let (a, b) = (start_with(pki.clone(), sgx_policy()).await, start_with(pki.clone(), sgx_policy()).await);
    let r = registration();
    let vm = DstackVm::new();
    let at = now() - 30;
    let mut req = td_request(&pki, &vm, r, log_of(&vm));
    req.verified_at = Some(at);
    let body = serde_json::to_vec(&req).unwrap();
    let (from_a, from_b) = (signed(post(&a.url, body.clone()).await), signed(post(&b.url, body).await));
    assert_eq!(from_a.attestation.verifiedAt, at);
    assert_eq!(from_b.attestation.verifiedAt, at);
    assert_eq!(from_a.digest, from_b.digest, "the same attestation, the same digest");
    assert_eq!((from_a.signer, from_b.signer), (a.signer, b.signer));
    assert_ne!(a.signer, b.signer);
    // The same for an SGX quote, a little in the future.
    let mut sgx = request(&pki, &enclave().reporting(report_data(&r)), TcbStatus::UpToDate, r);
    sgx.verified_at = Some(now() + 30);
    let res = signed(post(&a.url, serde_json::to_vec(&sgx).unwrap()).await);
    assert_eq!(Some(res.attestation.verifiedAt), sgx.verified_at);

    // 61 s before the operator's clock, or 2 min after it: 400 and nothing signed.
    for at in [now() - 61, now() + 120, 0] {
        req.verified_at = Some(at);
        refused(
            post(&a.url, serde_json::to_vec(&req).unwrap()).await,
            400,
            &format!("verification time {at} is more than 60 s from this operator's clock"),
        );
    }
}
