//! The client against the testkit's mock guest agent: a quote over the prover's report_data comes
//! back from `GetQuote`, verifies under the test root, and its event log replays to the quote's
//! registers and names the app; `Info`, the v0 and v1 keys (dstack's derivations and chains, the
//! v1 spec's test vectors) and the v1 attestation; an agent without v1.

use alloy_primitives::{B256, keccak256};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use phat_attestation_testkit::{
    Policy, TdxPolicy, VerifiedAny, VerifiedTdQuote, Verifier,
    dstack_agent::{AgentOptions, DstackVm, EventLogForm, MockDstackAgent},
    eventlog,
};
use phat_dstack::{DstackClient, DstackError, KeyAlgorithm};

use crate::{now, pki, socket_path};

fn report_data() -> [u8; 64] {
    let mut rd = [0u8; 64];
    rd[..32].copy_from_slice(&[0xab; 32]);
    rd[63] = 0x01;
    rd
}

fn verify(agent: &MockDstackAgent, quote: &[u8]) -> Result<VerifiedTdQuote, phat_attestation_testkit::AttestError> {
    let collateral = agent.collateral().expect("collateral");
    match Verifier::with_root_ca(agent.root_ca_der()).verify_any(quote, &collateral, now())? {
        VerifiedAny::Tdx(q) => Ok(q),
        VerifiedAny::Sgx(_) => panic!("an SGX quote"),
    }
}

#[tokio::test]
async fn a_quote_from_get_quote_verifies_and_its_event_log_names_the_app() {
    let socket = socket_path("quote");
    let vm = DstackVm::new();
    let agent = MockDstackAgent::start(&socket, pki(), vm.clone()).expect("agent");
    let client = DstackClient::new(&socket);
    let rd = report_data();
    let answer = client.get_quote(rd).await.expect("a quote");
    assert_eq!(answer.report_data.as_ref(), rd.as_slice());
    assert!(answer.vm_config.as_deref().is_some_and(|c| c.contains("os_image_hash")));

    let q = verify(&agent, &answer.quote).expect("verifies under the test root");
    assert_eq!(q.report_data.0, rd, "report_data round-trips, raw");
    assert_eq!(q.measurement(), vm.measurement());
    let policy = Policy {
        tdx: TdxPolicy {
            measurements: Some(vec![vm.measurement()]),
            compose_hashes: Some(vec![B256::from(vm.compose_hash)]),
            ..TdxPolicy::default()
        },
        ..Policy::default()
    };
    q.check(&policy, now()).expect("a production TD with its measurement listed");

    let events = eventlog::parse(&answer.event_log).expect("dstack's event log parses");
    let app = eventlog::check(&events, &q.rtmr).expect("the quote's own log");
    assert_eq!(app.compose_hash, B256::from(vm.compose_hash));
    assert_eq!(app.app_id.as_ref(), vm.app_id.as_slice());
    assert_eq!(app.instance_id.as_ref().map(|i| i.as_ref()), Some(vm.instance_id.as_slice()));
    assert!(app.key_provider.starts_with(br#"{"name":"kms","id":""#), "{}", String::from_utf8_lossy(&app.key_provider));
    policy.tdx.check_app(Some(&app)).expect("its compose hash is allowed");
    // dstack's order of runtime events
    let runtime: Vec<&str> = events.iter().filter(|e| e.imr == 3).map(|e| e.event.as_str()).collect();
    assert_eq!(
        runtime,
        [
            "system-preparing",
            "app-id",
            "compose-hash",
            "instance-id",
            "boot-mr-done",
            "os-image-hash",
            "key-provider",
            "storage-fs",
            "system-ready"
        ]
    );

    // Another VM's log does not replay to this quote.
    let other = DstackVm::new().with_app_compose(r#"{"name":"another app"}"#);
    assert!(eventlog::check(&other.event_log(), &q.rtmr).is_err());
    drop(agent);
    assert!(!socket.exists(), "dropping the agent removes its socket");
}

#[tokio::test]
async fn a_debug_vm_is_quoted_but_the_quote_is_refused() {
    let socket = socket_path("debug");
    let agent = MockDstackAgent::start(&socket, pki(), DstackVm::new().debug()).expect("agent");
    let answer = DstackClient::new(&socket).get_quote(report_data()).await.expect("the agent quotes it");
    let err = verify(&agent, &answer.quote).expect_err("a TD under debug");
    assert!(err.to_string().contains("Debug mode"), "{err}");
}

#[tokio::test]
async fn info_describes_the_vm_and_its_app() {
    let socket = socket_path("info");
    let vm = DstackVm::new();
    let _agent = MockDstackAgent::start(&socket, pki(), vm.clone()).expect("agent");
    let info = DstackClient::new(&socket).info().await.expect("info");
    assert_eq!(info.app_id.as_ref(), vm.app_id.as_slice());
    assert_eq!(info.instance_id.as_ref(), vm.instance_id.as_slice());
    assert_eq!(info.compose_hash.as_ref(), vm.compose_hash.as_slice());
    assert_eq!(info.os_image_hash.as_ref(), vm.os_image_hash.as_slice());
    assert_eq!(info.app_name, "phat-prover");
    let provider = info.key_provider().expect("json").expect("given");
    assert_eq!(provider.name, "kms");
    assert_eq!(provider.id, hex::encode(vm.kms_root_public_key()));
    let tcb = info.tcb_info().expect("json").expect("given");
    assert_eq!(tcb.mrtd.as_ref(), vm.mr_td.as_slice());
    assert_eq!(tcb.rtmr3.as_ref(), vm.rtmr()[3].as_slice());
    assert_eq!(tcb.app_compose, vm.app_compose);
    assert_eq!(tcb.compose_hash, info.compose_hash);
    assert_eq!(tcb.event_log.as_array().map(Vec::len), Some(vm.event_log().len()));
}

/// The secp256k1 key that signed `digest` (`r ‖ s ‖ v`), SEC1 compressed.
fn signer(digest: B256, signature: &[u8]) -> [u8; 33] {
    assert_eq!(signature.len(), 65);
    let sig = Signature::from_slice(&signature[..64]).expect("r ‖ s");
    assert!(sig.normalize_s().is_none(), "low S");
    let recid = RecoveryId::from_byte(signature[64]).expect("v in 0..=3");
    let key = VerifyingKey::recover_from_prehash(digest.as_slice(), &sig, recid).expect("recovers");
    key.to_encoded_point(true).as_bytes().try_into().expect("33 bytes")
}

fn public_key(secret: &[u8]) -> [u8; 33] {
    let key = k256::ecdsa::SigningKey::from_slice(secret).expect("a secp256k1 scalar");
    key.verifying_key().to_encoded_point(true).as_bytes().try_into().expect("33 bytes")
}

#[tokio::test]
async fn get_key_derives_per_path_and_chains_to_the_kms_root() {
    let socket = socket_path("key");
    let vm = DstackVm::new();
    let _agent = MockDstackAgent::start(&socket, pki(), vm.clone()).expect("agent");
    let client = DstackClient::new(&socket);
    let k = client.get_key("phat/prover", "signing").await.expect("a key");
    assert_eq!(k.key.len(), 32);
    let again = client.get_key("phat/prover", "another purpose").await.expect("a key");
    assert_eq!(again.key, k.key, "the purpose does not change the key");
    assert_ne!(client.get_key("phat/other", "signing").await.expect("a key").key, k.key);

    let derived = public_key(&k.key);
    let [link0, link1] = &k.signature_chain[..] else { panic!("two links: {:?}", k.signature_chain) };
    let claim = format!("signing:{}", hex::encode(derived));
    assert_eq!(signer(keccak256(claim), link0), vm.app_public_key());
    let issued = [&b"dstack-kms-issued:"[..], &vm.app_id, &vm.app_public_key()].concat();
    assert_eq!(signer(keccak256(issued), link1), vm.kms_root_public_key());
}

#[tokio::test]
async fn get_key_v1_reproduces_the_v1_spec_vectors() {
    // `docs/guest-api-v1.md` of dstack: app root key 1a2b…2b, its test vectors.
    let socket = socket_path("key-v1");
    let mut vm = DstackVm::new();
    vm.app_key.copy_from_slice(
        &hex::decode("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b").expect("hex"),
    );
    let _agent = MockDstackAgent::start(&socket, pki(), vm.clone()).expect("agent");
    let client = DstackClient::new(&socket);
    for (domain, key, public) in [
        (
            "",
            "59f60584ce6fd2a3a31997256db9d77322463fc8a6b1520110401bcb1ee92387",
            "0377c7fb050db181d392266a3cee9adb2901c6d665f11bac68be5457f577ba4908",
        ),
        (
            "storage-encryption",
            "5510330f86902ddae38c6d89c93a8408019332c17a429e1abd01c4a28d1544a6",
            "03d962450a41748021c8b02787ac36ce642ff0ae25f4c55019eb527e1112cfd764",
        ),
        (
            "a/b/c",
            "7f0973449298085d2d36a3b4c4d3243c100ba1981ffa885fe9e9dee883e69538",
            "02e9b1a61b6d70aa9b241753828c316bf90e33e77b2e113f9ba75a8b6dc3cde5c1",
        ),
    ] {
        let k = client.get_key_v1(domain, KeyAlgorithm::Secp256k1).await.expect("a v1 key");
        assert_eq!(hex::encode(&k.key), key, "{domain:?}");
        assert_eq!(hex::encode(&k.public_key), public, "{domain:?}");
        assert_eq!(k.signature_chain.len(), 2);
    }
    let k = client.get_key_v1("storage-encryption", KeyAlgorithm::Secp256k1).await.expect("a v1 key");
    assert_eq!(
        hex::encode(&k.signature_chain[0]),
        "5b6193729ce7976ec67863f21692d4b98c69832698aae8e001a7d33a6f818b6e\
         46ca950725b6e90e8ca9bcf394abd03ce264bf9b7eec1e91693247f9dd53c26901",
        "link 0 of the spec's worked claim"
    );
    let issued = [&b"dstack-kms-issued:"[..], &vm.app_id, &vm.app_public_key()].concat();
    assert_eq!(signer(keccak256(issued), &k.signature_chain[1]), vm.kms_root_public_key());
    // v1 keys are not v0 keys of the same name.
    assert_ne!(client.get_key("storage-encryption", "").await.expect("a v0 key").key, k.key);
    // The mock serves secp256k1 only; a refusal is a 400 with the agent's message.
    let err = client.get_key_v1("x", KeyAlgorithm::Ed25519).await.expect_err("not served");
    assert!(
        matches!(&err, DstackError::Status { path: "/v1/GetKey", status: 400, body } if body.contains("ed25519")),
        "{err}"
    );
}

/// The value of the MessagePack binary field `name` in `doc` (written by the mock: a fixstr key,
/// then `bin 8/16/32`).
fn msgpack_bin<'a>(doc: &'a [u8], name: &str) -> &'a [u8] {
    let key = [&[0xa0 | name.len() as u8][..], name.as_bytes()].concat();
    let at = doc.windows(key.len()).position(|w| w == key).expect(name) + key.len();
    let (len, skip) = match doc[at] {
        0xc4 => (doc[at + 1] as usize, 2),
        0xc5 => (u16::from_be_bytes([doc[at + 1], doc[at + 2]]) as usize, 3),
        0xc6 => (u32::from_be_bytes(doc[at + 1..at + 5].try_into().expect("4 bytes")) as usize, 5),
        tag => panic!("{name}: not a bin ({tag:#x})"),
    };
    &doc[at + skip..at + skip + len]
}

#[tokio::test]
async fn attest_v1_carries_a_quote_over_the_report_data() {
    let socket = socket_path("attest");
    let agent = MockDstackAgent::start(&socket, pki(), DstackVm::new()).expect("agent");
    let rd = report_data();
    let a = DstackClient::new(&socket).attest(rd).await.expect("an attestation");
    assert!(a.boottime_gpu_evidence.is_empty());
    assert_eq!(a.attestation[0], 0x83, "a MessagePack map: version, platform, stack");
    assert_eq!(msgpack_bin(&a.attestation, "report_data"), rd.as_slice());
    let q = verify(&agent, msgpack_bin(&a.attestation, "quote")).expect("its quote verifies");
    assert_eq!(q.report_data.0, rd);
}

#[tokio::test]
async fn an_agent_without_v1_is_named_as_such() {
    let socket = socket_path("v0-only");
    let options = AgentOptions { v1: false, ..AgentOptions::default() };
    let _agent = MockDstackAgent::start_with(&socket, pki(), DstackVm::new(), options).expect("agent");
    let client = DstackClient::new(&socket);
    let err = client.attest(report_data()).await.expect_err("no v1");
    assert!(matches!(err, DstackError::NoV1Api { path: "/v1/Attest" }), "{err}");
    assert!(matches!(
        client.get_key_v1("k", KeyAlgorithm::Secp256k1).await,
        Err(DstackError::NoV1Api { path: "/v1/GetKey" })
    ));
    client.get_quote(report_data()).await.expect("v0 is served");
}

/// dstack 0.5.6 and later serve `GetQuote`'s event log stripped: runtime events without their
/// digest (`""`, recomputable from type, name and payload), boot events without their payload.
/// `phat_attestation::eventlog::parse` recomputes such a runtime event's digest, and the replay
/// checks it against the quote.
#[tokio::test]
async fn a_stripped_event_log_as_dstack_0_5_6_serves_it_checks_against_its_quote() {
    let socket = socket_path("stripped");
    let vm = DstackVm::new();
    let options = AgentOptions { event_log: EventLogForm::Stripped, ..AgentOptions::default() };
    let agent = MockDstackAgent::start_with(&socket, pki(), vm.clone(), options).expect("agent");
    let answer = DstackClient::new(&socket).get_quote(report_data()).await.expect("a quote");
    let q = verify(&agent, &answer.quote).expect("verifies");
    let events = eventlog::parse(&answer.event_log).expect("a stripped log parses");
    let app = eventlog::check(&events, &q.rtmr).expect("and replays to the quote's registers");
    assert_eq!(app.compose_hash, B256::from(vm.compose_hash));
}

#[tokio::test]
async fn the_stripped_event_log_has_dstacks_shape() {
    let socket = socket_path("stripped-shape");
    let options = AgentOptions { event_log: EventLogForm::Stripped, ..AgentOptions::default() };
    let _agent = MockDstackAgent::start_with(&socket, pki(), DstackVm::new(), options).expect("agent");
    let answer = DstackClient::new(&socket).get_quote(report_data()).await.expect("a quote");
    let events: Vec<serde_json::Value> = serde_json::from_str(&answer.event_log).expect("a JSON array");
    let full = DstackVm::new().event_log();
    assert_eq!(events.len(), full.len());
    for (e, f) in events.iter().zip(&full) {
        let runtime = e["imr"] == 3;
        assert_eq!(e["digest"] == "", runtime, "{e}");
        let acpi = e["event_type"] == 10;
        let payload = if runtime || acpi { hex::encode(&f.event_payload) } else { String::new() };
        assert_eq!(e["event_payload"], payload, "{e}");
    }
}
