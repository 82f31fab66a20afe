//! dstack's event log replayed against a real dstack TDX quote (`../shared/fixtures/dstack`): the
//! four RTMRs come out, and the app's compose hash, app id and key provider are read from it; a
//! changed, dropped, reordered or forged event, or a log of another quote, is refused.

use std::path::PathBuf;

use alloy_primitives::{Bytes, b256};
use phat_attestation::{
    PolicyViolation, TdxPolicy,
    eventlog::{self, DSTACK_EVENT_TYPE, Event, EventLogError, runtime_digest},
    tdx::Mr,
};

/// The fixture's event log and the RTMRs of its quote (the TD report of the v4 quote, parsed by
/// dcap-qvl; the quote's signature is checked elsewhere — no collateral comes with it).
fn fixture() -> (Vec<Event>, [Mr; 4]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dstack/quote-report.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json");
    let events = eventlog::parse(json["event_log"].as_str().expect("event_log")).expect("parses");
    let quote = hex::decode(json["quote"].as_str().expect("quote")).expect("hex");
    let parsed = dcap_qvl::quote::Quote::parse(&quote).expect("a quote");
    let td = parsed.report.as_td10().expect("a TD report");
    let rtmr = [td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3].map(Mr::from);
    (events, rtmr)
}

#[test]
fn the_real_log_replays_to_the_quotes_registers_and_names_the_app() {
    let (events, rtmr) = fixture();
    assert_eq!(events.len(), 28);
    assert_eq!(eventlog::replay(&events).expect("replays"), rtmr);
    let app = eventlog::check(&events, &rtmr).expect("the quote's log");
    assert_eq!(app.compose_hash, b256!("3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7"));
    assert_eq!(app.app_id.to_string(), "0x3763bc34552cf3a27ff71ad5f7a90471562a1a2d");
    assert!(app.key_provider.starts_with(br#"{"name":"local-sgx""#), "{}", String::from_utf8_lossy(&app.key_provider));
    assert!(app.instance_id.is_some());

    // The policy's app rule: the compose hash allow-listed, another one, no log at all.
    let listed = TdxPolicy { compose_hashes: Some(vec![app.compose_hash]), ..TdxPolicy::default() };
    listed.check_app(Some(&app)).expect("its app");
    let other = TdxPolicy { compose_hashes: Some(vec![alloy_primitives::B256::ZERO]), ..TdxPolicy::default() };
    assert_eq!(other.check_app(Some(&app)), Err(PolicyViolation::ComposeHashNotAllowed(app.compose_hash)));
    assert_eq!(listed.check_app(None), Err(PolicyViolation::NoEventLog));
    TdxPolicy::default().check_app(None).expect("no app rule");
}

#[test]
fn a_changed_dropped_reordered_or_forged_event_is_refused() {
    let (events, rtmr) = fixture();
    let at = |name: &str| events.iter().position(|e| e.event == name).expect(name);
    let compose = at("compose-hash");

    // Another compose hash with the old digest: the digest is not its own.
    let mut bad = events.clone();
    bad[compose].event_payload = Bytes::from(vec![0x11; 32]);
    assert!(matches!(eventlog::check(&bad, &rtmr), Err(EventLogError::EventDigest { .. })));
    // ... with its digest recomputed: the replay is not the quote's RTMR3.
    bad[compose].digest = runtime_digest(DSTACK_EVENT_TYPE, "compose-hash", &bad[compose].event_payload);
    assert_eq!(eventlog::check(&bad, &rtmr), Err(EventLogError::Rtmr(3)));
    // An event dropped, two swapped, a boot event changed.
    let mut bad = events.clone();
    bad.remove(at("key-provider"));
    assert_eq!(eventlog::check(&bad, &rtmr), Err(EventLogError::Rtmr(3)));
    let mut bad = events.clone();
    bad.swap(compose, at("app-id"));
    assert_eq!(eventlog::check(&bad, &rtmr), Err(EventLogError::Rtmr(3)));
    let mut bad = events.clone();
    bad[0].digest[0] ^= 1;
    assert_eq!(eventlog::check(&bad, &rtmr), Err(EventLogError::Rtmr(0)));
    // Another quote's registers.
    let mut other = rtmr;
    other[2][47] ^= 1;
    assert_eq!(eventlog::check(&events, &other), Err(EventLogError::Rtmr(2)));
    // A register that does not exist.
    let mut bad = events.clone();
    bad[0].imr = 4;
    assert_eq!(eventlog::replay(&bad), Err(EventLogError::Register { index: 0, imr: 4 }));
}

#[test]
fn a_log_without_or_with_two_compose_hashes_names_no_app() {
    let (events, _) = fixture();
    // Logs that replay to their own registers, so only the app rules can refuse them.
    let own = |events: &[Event]| eventlog::check(events, &eventlog::replay(events).expect("replays"));
    let without: Vec<Event> = events.iter().filter(|e| e.event != "key-provider").cloned().collect();
    assert_eq!(own(&without), Err(EventLogError::Missing("key-provider")));
    let mut twice = events.clone();
    let compose = events.iter().find(|e| e.event == "compose-hash").expect("compose").clone();
    twice.push(compose);
    assert_eq!(own(&twice), Err(EventLogError::Repeated(2, "compose-hash")));
    let mut short = events.clone();
    let i = short.iter().position(|e| e.event == "compose-hash").expect("compose");
    short[i].event_payload = Bytes::from(vec![1; 20]);
    short[i].digest = runtime_digest(DSTACK_EVENT_TYPE, "compose-hash", &short[i].event_payload);
    assert_eq!(own(&short), Err(EventLogError::ComposeHash(20)));
    // Bounded: no more than MAX_EVENTS events are read.
    let many = serde_json::to_string(&vec![events[0].clone(); eventlog::MAX_EVENTS + 1]).expect("json");
    assert!(matches!(eventlog::parse(&many), Err(EventLogError::TooManyEvents(_))));
}
