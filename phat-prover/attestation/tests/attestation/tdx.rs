//! TDX quotes (issue 15, verification): the real quotes dcap-qvl publishes with their collateral —
//! a v4 quote with a TD 1.0 report and a v5 quote with a TD 1.5 report from a dstack VM — verify
//! under Intel's root at a time inside their collateral's validity, with their real fields; a bit
//! flipped anywhere Intel's signatures cover is refused; the outdated one is refused; and the TDX
//! policy refuses a TD under debug, a bound service TD, an unlisted measurement or owner.

use std::path::PathBuf;

use alloy_primitives::FixedBytes;
use phat_attestation::{
    AttestError, Collateral, Policy, PolicyViolation, TcbStatus, TdMeasurement, TdOwner, TdxPolicy, VerifiedAny,
    VerifiedTdQuote, Verifier,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dcap")
}

fn tdx(name: &str) -> (Vec<u8>, dcap_qvl::QuoteCollateralV3) {
    let quote = std::fs::read(fixtures().join(name)).expect("fixture");
    let text = std::fs::read_to_string(fixtures().join(format!("{name}_collateral.json"))).expect("fixture");
    (quote, Collateral::from_json(&text).expect("parses").to_dcap().expect("decodes"))
}

/// 2025-07-01, inside the v4 quote's collateral validity.
const V4_AT: u64 = 1_751_328_000;
/// 2026-10-15, inside the v5 quote's collateral validity.
const V5_AT: u64 = 1_792_022_400;

fn verified(name: &str, at: u64) -> VerifiedTdQuote {
    let (quote, collateral) = tdx(name);
    match Verifier::intel().verify_any(&quote, &collateral, at) {
        Ok(VerifiedAny::Tdx(q)) => q,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn real_tdx_quotes_v4_and_v5_verify_with_their_fields() {
    for (name, at, version) in [("tdx_quote", V4_AT, 4), ("tdx_quote_td15ex", V5_AT, 5)] {
        let q = verified(name, at);
        assert_eq!(q.quote_version, version, "{name}");
        assert_eq!(q.tcb_status, TcbStatus::UpToDate, "{name}");
        assert_eq!(q.verified_at, at);
        assert_ne!(q.mr_td, FixedBytes::ZERO, "{name}: the firmware is measured");
        assert_ne!(q.rtmr[0], FixedBytes::ZERO, "{name}: so is its configuration");
        assert_eq!(q.td_attributes[0] & 1, 0, "{name}: a production TD, not under debug");
        // Every field as JSON (what `attest verify` prints), the TEE type named.
        let json = serde_json::to_value(VerifiedAny::Tdx(q.clone())).expect("json");
        assert_eq!(json["teeType"], "tdx");
        for field in ["mr_td", "mr_config_id", "mr_owner", "mr_owner_config", "rtmr", "td_attributes", "report_data"] {
            assert!(!json[field].is_null(), "{name}: {field} in the JSON");
        }
        // The measurement hash is over the five registers, in order.
        let m = q.measurement();
        let packed = [m.mr_td, m.rtmr0, m.rtmr1, m.rtmr2, m.mr_config_id].concat();
        assert_eq!(m.hash(), alloy_primitives::keccak256(packed));
        // A genuine TDX quote meets the TDX rules when its measurement is allowed.
        let policy =
            Policy { tdx: TdxPolicy { measurements: Some(vec![m]), ..TdxPolicy::default() }, ..Policy::default() };
        q.check(&policy, at).expect("allowed");
        // and it is no SGX prover
        let (quote, collateral) = tdx(name);
        assert!(matches!(Verifier::intel().verify(&quote, &collateral, at), Err(AttestError::NotSgx)));
    }
}

#[test]
fn a_flipped_bit_anywhere_signed_or_expired_collateral_is_refused() {
    for (name, at) in [("tdx_quote", V4_AT), ("tdx_quote_td15ex", V5_AT)] {
        let (quote, collateral) = tdx(name);
        // Header (48 bytes) and TD report: what the QE signed. A stride keeps the test short;
        // every region (header, SEAM, TD fields, RTMRs, report_data) is hit.
        let signed = if quote[0] == 4 { 48 + 584 } else { 48 + 6 + 648 };
        for at_byte in (0..signed).step_by(5) {
            let mut bad = quote.clone();
            bad[at_byte] ^= 0x01;
            assert!(Verifier::intel().verify_any(&bad, &collateral, at).is_err(), "{name}: byte {at_byte} flipped");
        }
        // The signature itself, and the certification data after it (the embedded root included:
        // it must be the pinned root byte for byte).
        for at_byte in [signed + 4, signed + 40, quote.len() - 100] {
            let mut bad = quote.clone();
            bad[at_byte] ^= 0x80;
            assert!(Verifier::intel().verify_any(&bad, &collateral, at).is_err(), "{name}: byte {at_byte} flipped");
        }
        // Anything but zero padding after the quote.
        assert!(Verifier::intel().verify_any(&[&quote[..], &[1]].concat(), &collateral, at).is_err(), "{name}");
        // Long after the collateral expired.
        assert!(Verifier::intel().verify_any(&quote, &collateral, 1_900_000_000).is_err(), "{name}: expired");
    }
    let (quote, collateral) = tdx("tdx_quote_outdated");
    let err = Verifier::intel().verify_any(&quote, &collateral, 1_772_323_200).expect_err("outdated TDX platform");
    assert!(err.to_string().contains("TCB level"), "{err}");
}

#[test]
fn the_tdx_policy_refuses_debug_service_tds_unlisted_measurements_and_owners() {
    let q = verified("tdx_quote", V4_AT);
    let open = Policy::default();
    q.check(&open, V4_AT).expect("no allow-list given: left to L1");
    let with = |tdx: TdxPolicy| Policy { tdx, ..Policy::default() };
    let refused = |q: &VerifiedTdQuote, p: &Policy| q.check(p, V4_AT).expect_err("refused");
    for bit in 0..8 {
        let mut debug = q.clone();
        debug.td_attributes[0] |= 1 << bit;
        assert!(matches!(refused(&debug, &open), PolicyViolation::TdUnderDebug(_)), "TUD bit {bit}");
    }
    let mut serviced = q.clone();
    serviced.mr_service_td[0] = 1;
    assert!(matches!(refused(&serviced, &open), PolicyViolation::ServiceTdBound(_)));

    let mut other_app = q.measurement();
    other_app.mr_config_id[0] ^= 1;
    let listed = with(TdxPolicy { measurements: Some(vec![other_app]), ..TdxPolicy::default() });
    assert!(matches!(refused(&q, &listed), PolicyViolation::TdMeasurementNotAllowed(h) if h == q.measurement().hash()));
    let mut other_image = q.measurement();
    other_image.rtmr1[47] ^= 1;
    let listed = with(TdxPolicy { measurements: Some(vec![other_image]), ..TdxPolicy::default() });
    assert!(matches!(refused(&q, &listed), PolicyViolation::TdMeasurementNotAllowed(_)));

    let owner = TdOwner { mr_owner: q.mr_owner, mr_owner_config: q.mr_owner_config };
    let mut stranger = owner;
    stranger.mr_owner[0] ^= 1;
    let owners = with(TdxPolicy { owners: Some(vec![stranger]), ..TdxPolicy::default() });
    assert!(matches!(refused(&q, &owners), PolicyViolation::TdOwnerNotAllowed(_)));
    q.check(&with(TdxPolicy { owners: Some(vec![owner]), ..TdxPolicy::default() }), V4_AT).expect("its owner");

    // TCB: a status below UpToDate needs governance's acceptance, as for SGX.
    let mut outdated = q.clone();
    outdated.tcb_status = TcbStatus::OutOfDate;
    assert!(matches!(refused(&outdated, &open), PolicyViolation::TcbStatusNotAccepted { .. }));
    // Freshness.
    let aged = Policy { max_attestation_age: Some(3600), ..Policy::default() };
    assert!(matches!(q.check(&aged, V4_AT + 7200), Err(PolicyViolation::NotFresh { .. })));
    let _: TdMeasurement = q.measurement();
}
