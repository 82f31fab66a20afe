//! TDX quotes (issue 15, verification): the real quotes dcap-qvl publishes with their collateral —
//! a v4 quote with a TD 1.0 report and a v5 quote with a TD 1.5 report from a dstack VM — verify
//! under Intel's root at a time inside their collateral's validity, with their real fields; a bit
//! flipped anywhere Intel's signatures cover is refused; the outdated one is refused; and the TDX
//! policy refuses a TD under debug, a bound service TD, an unlisted measurement or owner. And TD
//! quotes of the test PKI (a v4 quote of any TD's fields, for machines without TDX) verify under
//! its root with their fields, and under Intel's root not at all.

use std::path::PathBuf;

use alloy_primitives::FixedBytes;
use phat_attestation::{
    AttestError, ChainFault, Collateral, Policy, PolicyViolation, TcbStatus, TdMeasurement, TdOwner, TdxPolicy,
    VerifiedAny, VerifiedTdQuote, Verifier,
};
use phat_attestation_testkit::testkit::{TD_PRODUCTION_ATTRIBUTES, TD_XFAM, TEE_TCB_SVN, TdVm, TestPki};

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

/// A test PKI valid for an hour around `NOW`.
const NOW: u64 = 1_790_000_000;

fn test_pki() -> TestPki {
    TestPki::new(NOW - 3600, NOW + 3600).expect("test pki")
}

/// A TD with distinct registers, so that a field swapped anywhere shows.
fn test_td() -> TdVm {
    let reg = |b: u8| [b; 48];
    let mut td = TdVm::new(reg(0x10), [reg(0x20), reg(0x21), reg(0x22), reg(0x23)]).reporting([0x5a; 64]);
    td.mr_config_id = reg(0x30);
    td.mr_owner = reg(0x40);
    td.mr_owner_config = reg(0x41);
    td
}

fn verify_td(
    verifier: &Verifier,
    quote: &[u8],
    collateral: &dcap_qvl::QuoteCollateralV3,
) -> Result<VerifiedTdQuote, AttestError> {
    match verifier.verify_any(quote, collateral, NOW)? {
        VerifiedAny::Tdx(q) => Ok(q),
        VerifiedAny::Sgx(q) => panic!("an SGX quote: {q:?}"),
    }
}

#[test]
fn a_test_pki_td_quote_verifies_under_its_root_with_its_fields() {
    let pki = test_pki();
    let td = test_td();
    let quote = pki.td_quote(&td).expect("td quote");
    assert_eq!(&quote[..2], &[4, 0], "a v4 quote");
    assert_eq!(&quote[4..8], &[0x81, 0, 0, 0], "TEE type TDX");
    let collateral = pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    let q = verify_td(&verifier, &quote, &collateral).expect("verifies under the test root");
    assert_eq!(q.quote_version, 4);
    assert_eq!((q.tcb_status, q.advisory_ids.clone()), (TcbStatus::UpToDate, vec![]));
    assert_eq!(q.tee_tcb_svn, FixedBytes(TEE_TCB_SVN));
    assert_eq!(q.mr_signer_seam, FixedBytes::ZERO);
    assert_eq!(q.seam_attributes, FixedBytes::ZERO);
    assert_eq!(q.td_attributes, FixedBytes(TD_PRODUCTION_ATTRIBUTES));
    assert_eq!(q.xfam, FixedBytes(TD_XFAM));
    assert_eq!(q.mr_td, FixedBytes(td.mr_td));
    assert_eq!(q.mr_config_id, FixedBytes(td.mr_config_id));
    assert_eq!((q.mr_owner, q.mr_owner_config), (FixedBytes(td.mr_owner), FixedBytes(td.mr_owner_config)));
    assert_eq!(q.rtmr, td.rtmr.map(FixedBytes));
    assert_eq!(q.report_data, FixedBytes(td.report_data));
    assert_eq!(q.mr_service_td, FixedBytes::ZERO, "a TD 1.0 report binds no service TD");
    assert_eq!(q.verified_at, NOW);
    assert_eq!(q.tcb_info_hash, alloy_primitives::keccak256(collateral.tcb_info.as_bytes()));

    // The TDX policy: allowed with its measurement listed, refused with another one.
    let m = q.measurement();
    assert_eq!((m.mr_td, m.rtmr0, m.rtmr2, m.mr_config_id), (q.mr_td, q.rtmr[0], q.rtmr[2], q.mr_config_id));
    let listed = |m: TdMeasurement| Policy {
        tdx: TdxPolicy { measurements: Some(vec![m]), ..TdxPolicy::default() },
        ..Policy::default()
    };
    q.check(&listed(m), NOW).expect("its measurement is listed");
    let mut other = m;
    other.rtmr1[0] ^= 1;
    assert!(matches!(q.check(&listed(other), NOW), Err(PolicyViolation::TdMeasurementNotAllowed(_))));
    // It is no SGX prover.
    assert!(matches!(verifier.verify(&quote, &collateral, NOW), Err(AttestError::NotSgx)));
}

#[test]
fn the_test_pki_td_collateral_carries_the_tcb_status_and_refuses_revoked() {
    let pki = test_pki();
    let quote = pki.td_quote(&test_td()).expect("td quote");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    let outdated = pki.td_collateral(TcbStatus::OutOfDate, &["INTEL-SA-00837"]).expect("collateral");
    let q = verify_td(&verifier, &quote, &outdated).expect("an out-of-date platform still verifies");
    assert_eq!((q.tcb_status, q.advisory_ids.clone()), (TcbStatus::OutOfDate, vec!["INTEL-SA-00837".to_string()]));
    assert!(matches!(q.check(&Policy::default(), NOW), Err(PolicyViolation::TcbStatusNotAccepted { .. })));
    let revoked = pki.td_collateral(TcbStatus::Revoked, &[]).expect("collateral");
    let err = verify_td(&verifier, &quote, &revoked).expect_err("revoked");
    assert!(err.to_string().contains("Revoked"), "{err}");
    // SGX collateral does not judge a TD quote, nor TDX collateral an SGX quote.
    let sgx = pki.collateral(TcbStatus::UpToDate, &[]).expect("sgx collateral");
    assert!(verify_td(&verifier, &quote, &sgx).is_err());
    // Outside the collateral's validity.
    assert!(verifier.verify_any(&quote, &outdated, NOW + 7200).is_err());
}

#[test]
fn a_debug_td_is_refused_by_dcap_qvl_and_by_the_tdx_policy() {
    let pki = test_pki();
    let collateral = pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    let debug = test_td().debug();
    assert_eq!(debug.td_attributes[0] & 1, 1);
    let quote = pki.td_quote(&debug).expect("td quote");
    // dcap-qvl 0.7.1 refuses a TD under debug before any policy (its verifier is built without
    // `allow_debug`), so a DEBUG TD never reaches `VerifiedTdQuote::check` through `verify_any`.
    let err = verify_td(&verifier, &quote, &collateral).expect_err("debug TD");
    assert!(err.to_string().contains("Debug mode"), "{err}");
    // ... and the policy refuses one on its own: the production TD's verified fields with DEBUG set.
    let mut q = verify_td(&verifier, &pki.td_quote(&test_td()).expect("td quote"), &collateral).expect("verifies");
    q.check(&Policy::default(), NOW).expect("a production TD");
    q.td_attributes = FixedBytes(debug.td_attributes);
    assert!(matches!(q.check(&Policy::default(), NOW), Err(PolicyViolation::TdUnderDebug(_))));
}

#[test]
fn a_flipped_byte_in_a_test_pki_td_quote_is_refused() {
    let pki = test_pki();
    let quote = pki.td_quote(&test_td()).expect("td quote");
    let collateral = pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    verify_td(&verifier, &quote, &collateral).expect("the quote as issued");
    // Header and TD report (48 + 584 bytes: what the attestation key signs), with a stride that
    // hits every field, then the signature, the QE report and the embedded chain.
    let signed = 48 + 584;
    for at_byte in (0..signed).step_by(7).chain([signed + 4, signed + 40, signed + 200, quote.len() - 100]) {
        let mut bad = quote.clone();
        bad[at_byte] ^= 0x01;
        assert!(verifier.verify_any(&bad, &collateral, NOW).is_err(), "byte {at_byte} flipped");
    }
    // Trailing bytes other than zero padding.
    assert!(verifier.verify_any(&[&quote[..], &[1]].concat(), &collateral, NOW).is_err());
}

#[test]
fn intels_root_refuses_a_test_pki_td_quote() {
    let pki = test_pki();
    let quote = pki.td_quote(&test_td()).expect("td quote");
    let collateral = pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    assert!(verify_td(&Verifier::with_root_ca(pki.root_ca_der()), &quote, &collateral).is_ok());
    let err = Verifier::intel().verify_any(&quote, &collateral, NOW).expect_err("not Intel's");
    assert!(matches!(err, AttestError::CertChain { fault: ChainFault::RootNotPinned, .. }), "{err}");
    // Nor does another test PKI's root.
    let other = test_pki();
    assert!(Verifier::with_root_ca(other.root_ca_der()).verify_any(&quote, &collateral, NOW).is_err());
}
