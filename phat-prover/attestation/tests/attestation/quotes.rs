//! Quote verification: the real SGX quote from Intel hardware (../shared/fixtures/dcap) and quotes
//! of the test PKI, under the registry's policy.

use std::path::PathBuf;

use alloy_primitives::{Address, B256, address, b256};
use phat_attestation::{
    AttestError, Binding, ChainFault, Collateral, Measurement, Policy, PolicyViolation, TcbStatus, Verifier,
    attestation::advisories_hash, policy::Grace,
};
use phat_attestation_testkit::testkit::{Enclave, TestPki};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dcap")
}

fn real_sgx() -> (Vec<u8>, dcap_qvl::QuoteCollateralV3) {
    let quote = std::fs::read(fixtures().join("sgx_quote")).expect("fixture sgx_quote");
    let text = std::fs::read_to_string(fixtures().join("sgx_quote_collateral.json")).expect("fixture collateral");
    let collateral = Collateral::from_json(&text).expect("collateral parses").to_dcap().expect("collateral decodes");
    (quote, collateral)
}

/// 2025-07-01, inside the fixture collateral's validity (2025-06-19 .. 2025-07-19).
const REAL_AT: u64 = 1_751_328_000;

#[test]
fn the_real_sgx_quote_verifies_at_its_time_with_its_real_fields() {
    let (quote, collateral) = real_sgx();
    let v = Verifier::intel().verify(&quote, &collateral, REAL_AT).expect("genuine quote");
    assert_eq!(v.tcb_status, TcbStatus::ConfigurationAndSWHardeningNeeded);
    let mut advisories = v.advisory_ids.clone();
    advisories.sort();
    assert_eq!(advisories, ["INTEL-SA-00289", "INTEL-SA-00615"]);
    assert!(v.mr_enclave.to_string().starts_with("0x33d8736d"), "{}", v.mr_enclave);
    assert!(v.mr_enclave.to_string().ends_with("452fbb"), "{}", v.mr_enclave);
    assert!(v.mr_signer.to_string().starts_with("0x815f42f1"), "{}", v.mr_signer);
    assert!(v.mr_signer.to_string().ends_with("a3e0e6"), "{}", v.mr_signer);
    assert_eq!((v.isv_prod_id, v.isv_svn), (0, 0));
    assert_eq!(&v.report_data[..13], b"Hello, world!");
    assert!(v.report_data[13..].iter().all(|b| *b == 0));

    let a = v.normalized();
    assert_eq!(a.tcbStatus, 3);
    assert_eq!(a.advisoriesHash, alloy_primitives::keccak256("INTEL-SA-00289,INTEL-SA-00615"));
    assert_eq!(a.verifiedAt, REAL_AT);
    assert_eq!(a.tcbInfoHash, alloy_primitives::keccak256(collateral.tcb_info.as_bytes()));

    // The registry's default refuses this TCB status; governance grace for it admits it, and only
    // until the grace ends.
    assert!(matches!(
        Policy::default().check(&a, REAL_AT),
        Err(PolicyViolation::TcbStatusNotAccepted { status: TcbStatus::ConfigurationAndSWHardeningNeeded, .. })
    ));
    let graced = Policy {
        grace: vec![Grace { status: TcbStatus::ConfigurationAndSWHardeningNeeded, until: REAL_AT + 10 }],
        ..Policy::default()
    };
    assert_eq!(graced.check(&a, REAL_AT), Ok(()));
    assert!(graced.check(&a, REAL_AT + 11).is_err());
}

#[test]
fn the_real_quote_is_refused_with_expired_collateral_a_flipped_bit_or_another_root() {
    let (quote, collateral) = real_sgx();
    let refused = |q: &[u8], at: u64| match Verifier::intel().verify(q, &collateral, at) {
        Err(AttestError::Quote(msg)) => msg,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(refused(&quote, 1_754_006_400).contains("expired"), "2025-08-01: TCB info expired");
    assert!(!refused(&quote, 1_800_000_000).is_empty(), "CRL expired");
    assert!(refused(&quote, 1_700_000_000).contains("future"), "issue date in the future");
    // One bit of the report body (mr_enclave's first byte; the body starts after the 48-byte header).
    let mut flipped = quote.clone();
    flipped[48 + 64] ^= 1;
    assert!(refused(&flipped, REAL_AT).contains("signature"));
    // report_data's last byte.
    let mut flipped = quote.clone();
    flipped[48 + 383] ^= 0x80;
    assert!(refused(&flipped, REAL_AT).contains("signature"));
    // A verifier with another root refuses Intel's chain.
    let pki = TestPki::new(REAL_AT - 86_400, REAL_AT + 86_400).expect("test pki");
    assert!(Verifier::with_root_ca(pki.root_ca_der()).verify(&quote, &collateral, REAL_AT).is_err());
    // Truncated quotes are refused, never a panic.
    for len in [0, 1, 47, 48, 432, 436, quote.len() - 1] {
        assert!(Verifier::intel().verify(&quote[..len], &collateral, REAL_AT).is_err(), "len {len}");
    }
}

fn tdx(name: &str) -> (Vec<u8>, dcap_qvl::QuoteCollateralV3) {
    let quote = std::fs::read(fixtures().join(name)).expect("fixture");
    let text = std::fs::read_to_string(fixtures().join(format!("{name}_collateral.json"))).expect("fixture");
    (quote, Collateral::from_json(&text).expect("parses").to_dcap().expect("decodes"))
}

#[test]
fn the_outdated_tdx_quote_is_refused_and_a_genuine_tdx_quote_is_not_an_sgx_prover() {
    let (quote, collateral) = tdx("tdx_quote_outdated");
    // 2026-03-01, inside its collateral's validity.
    let err = Verifier::intel().verify(&quote, &collateral, 1_772_323_200).expect_err("outdated TDX quote");
    assert!(err.to_string().contains("TCB level"), "{err}");

    let (quote, collateral) = tdx("tdx_quote");
    let err = Verifier::intel().verify(&quote, &collateral, REAL_AT).expect_err("TDX is not an SGX enclave");
    assert!(matches!(err, AttestError::NotSgx), "{err}");
}

const NOW: u64 = 1_780_000_000;

fn enclave() -> Enclave {
    Enclave::new([0xe1; 32], [0x51; 32], 7, 3)
}

fn measurement() -> Measurement {
    Measurement { mr_enclave: B256::repeat_byte(0xe1), mr_signer: B256::repeat_byte(0x51), isv_prod_id: 7, isv_svn: 3 }
}

fn binding(prover: Address) -> Binding {
    Binding {
        chain_id: 31_337,
        registry: address!("5FbDB2315678afecb367f032d93F642f64180aa3"),
        prover,
        beneficiary: address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        l1_block_number: 41,
        l1_block_hash: b256!("0x6c3b4e8d2f1a09c7b5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a9f8e"),
    }
}

#[test]
fn a_test_pki_quote_verifies_under_its_root_only_and_carries_the_binding() {
    let pki = TestPki::new(NOW - 86_400, NOW + 30 * 86_400).expect("test pki");
    let prover = address!("1111111111111111111111111111111111111111");
    let b = binding(prover);
    let quote = pki.quote(&enclave().reporting(b.report_data())).expect("quote");
    let collateral = pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral");

    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    assert!(!verifier.is_intel());
    let v = verifier.verify(&quote, &collateral, NOW).expect("verifies under the test root");
    assert_eq!(v.tcb_status, TcbStatus::UpToDate);
    assert_eq!(
        (v.mr_enclave, v.mr_signer, v.isv_prod_id, v.isv_svn),
        (B256::repeat_byte(0xe1), B256::repeat_byte(0x51), 7, 3)
    );
    v.check_binding(&b).expect("binding");
    let other = binding(address!("2222222222222222222222222222222222222222"));
    assert!(
        matches!(v.check_binding(&other), Err(AttestError::Binding { expected, .. }) if expected == other.digest())
    );
    let policy = Policy { measurements: Some(vec![measurement()]), ..Policy::default() };
    assert_eq!(policy.check(&v.normalized(), NOW), Ok(()));

    // Intel's root does not accept the test PKI.
    assert!(Verifier::intel().verify(&quote, &collateral, NOW).is_err());
    // Outside the PKI's validity, refused.
    assert!(verifier.verify(&quote, &collateral, NOW + 31 * 86_400).is_err());
    assert!(verifier.verify(&quote, &collateral, NOW - 2 * 86_400).is_err());
    // Another PKI's collateral does not fit this quote.
    let other_pki = TestPki::new(NOW - 86_400, NOW + 86_400).expect("test pki");
    let foreign = other_pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    assert!(verifier.verify(&quote, &foreign, NOW).is_err());
    // A tampered TCB info (status raised to UpToDate by hand) breaks its signature.
    let mut tampered = pki.collateral(TcbStatus::OutOfDate, &[]).expect("collateral");
    tampered.tcb_info = tampered.tcb_info.replace("OutOfDate", "UpToDate");
    let err = verifier.verify(&quote, &tampered, NOW).expect_err("tampered tcb info");
    assert!(err.to_string().contains("tcb_info"), "{err}");
}

#[test]
fn debug_enclaves_and_revoked_platforms_are_refused_before_any_policy() {
    let pki = TestPki::new(NOW - 86_400, NOW + 86_400).expect("test pki");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    let up_to_date = pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let debug = pki.quote(&enclave().debug()).expect("quote");
    let err = verifier.verify(&debug, &up_to_date, NOW).expect_err("DEBUG enclave");
    assert!(err.to_string().contains("Debug"), "{err}");

    let quote = pki.quote(&enclave()).expect("quote");
    let revoked = pki.collateral(TcbStatus::Revoked, &["INTEL-SA-00999"]).expect("collateral");
    let err = verifier.verify(&quote, &revoked, NOW).expect_err("Revoked TCB");
    assert!(err.to_string().contains("Revoked"), "{err}");
}

#[test]
fn policy_variations_accept_and_refuse_as_the_registry_does() {
    let pki = TestPki::new(NOW - 86_400, NOW + 86_400).expect("test pki");
    let verifier = Verifier::with_root_ca(pki.root_ca_der());
    let quote = pki.quote(&enclave()).expect("quote");
    let attest = |status, advisories: &[&str]| {
        let collateral = pki.collateral(status, advisories).expect("collateral");
        verifier.verify(&quote, &collateral, NOW).expect("genuine").normalized()
    };
    let base = Policy { measurements: Some(vec![measurement()]), ..Policy::default() };

    // SWHardeningNeeded: only with its exact advisory set allowed.
    let sw = attest(TcbStatus::SWHardeningNeeded, &["INTEL-SA-00615", "INTEL-SA-00289"]);
    assert_eq!(sw.advisoriesHash, advisories_hash(&["INTEL-SA-00289".into(), "INTEL-SA-00615".into()]));
    assert!(matches!(base.check(&sw, NOW), Err(PolicyViolation::TcbStatusNotAccepted { .. })));
    let with_set = |sets: Vec<Vec<&str>>| Policy {
        advisory_sets: sets.into_iter().map(|s| s.into_iter().map(String::from).collect()).collect(),
        ..base.clone()
    };
    assert_eq!(with_set(vec![vec!["INTEL-SA-00289", "INTEL-SA-00615"]]).check(&sw, NOW), Ok(()));
    assert!(with_set(vec![vec!["INTEL-SA-00615"]]).check(&sw, NOW).is_err(), "a subset is another set");

    // OutOfDate: only under governance grace, and Revoked never (not even graced).
    let old = attest(TcbStatus::OutOfDate, &["INTEL-SA-00828"]);
    assert!(base.check(&old, NOW).is_err());
    let graced = Policy { grace: vec![Grace { status: TcbStatus::OutOfDate, until: NOW }], ..base.clone() };
    assert_eq!(graced.check(&old, NOW), Ok(()));
    assert!(graced.check(&old, NOW + 1).is_err());
    let mut revoked = old.clone();
    revoked.tcbStatus = TcbStatus::Revoked as u8;
    let graced_revoked = Policy { grace: vec![Grace { status: TcbStatus::Revoked, until: u64::MAX }], ..base.clone() };
    assert!(graced_revoked.check(&revoked, NOW).is_err());

    // Measurement allow-list, attributes, freshness.
    let ok = attest(TcbStatus::UpToDate, &[]);
    assert_eq!(base.check(&ok, NOW), Ok(()));
    let other = Policy { measurements: Some(vec![Measurement { isv_svn: 4, ..measurement() }]), ..Policy::default() };
    assert!(matches!(other.check(&ok, NOW), Err(PolicyViolation::MeasurementNotAllowed { isv_svn: 3, .. })));
    assert_eq!(Policy::default().check(&ok, NOW), Ok(()), "no allow-list here: L1 keeps it");
    // Neither SGX (0) nor TDX (0x81, `tests/attestation/tdx.rs`): refused whatever it carries.
    for tee_type in [0x01, 0x80, 0x82, 0xff] {
        let mut unknown = ok.clone();
        unknown.teeType = tee_type;
        assert_eq!(base.check(&unknown, NOW), Err(PolicyViolation::UnsupportedTeeType(tee_type)));
    }
    // An SGX enclave's attestation relabelled TDX meets the TDX rules: its INIT and MODE64BIT
    // flags are TD-under-debug bits there.
    let mut relabelled = ok.clone();
    relabelled.teeType = 0x81;
    assert!(matches!(base.check(&relabelled, NOW), Err(PolicyViolation::TdUnderDebug(_))));
    for bit in [0x02u8, 0x10, 0x20] {
        let mut a = ok.clone();
        a.attributes.0[0] |= bit;
        assert!(matches!(base.check(&a, NOW), Err(PolicyViolation::ForbiddenAttributes(_))), "bit {bit:#x}");
    }
    let fresh = Policy { max_attestation_age: Some(3600), ..base.clone() };
    assert_eq!(fresh.check(&ok, NOW + 3600), Ok(()));
    assert!(matches!(fresh.check(&ok, NOW + 3601), Err(PolicyViolation::NotFresh { .. })));
    assert!(fresh.check(&ok, NOW - 1).is_err(), "verified in the future");
}

#[test]
fn a_policy_file_reads_from_toml_and_unknown_keys_are_refused() {
    let policy = Policy::from_toml(
        r#"
        advisory_sets = [["INTEL-SA-00615"]]
        max_attestation_age = 3600
        [[measurements]]
        mr_enclave = "0xe1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"
        mr_signer = "0x5151515151515151515151515151515151515151515151515151515151515151"
        isv_prod_id = 7
        isv_svn = 3
        [[grace]]
        status = "OutOfDate"
        until = 1780000000
        "#,
    )
    .expect("policy");
    assert_eq!(policy.measurements, Some(vec![measurement()]));
    assert_eq!(policy.grace, vec![Grace { status: TcbStatus::OutOfDate, until: NOW }]);
    assert!(matches!(Policy::from_toml("measurement = []"), Err(AttestError::PolicyFile(_))));
    assert!(matches!(Policy::from_toml("[[grace]]\nstatus = \"Fine\"\nuntil = 1"), Err(AttestError::PolicyFile(_))));
}

/// The real quote with its PCK chain's PEM text replaced by `text` (re-encoded, so only the
/// chain differs).
fn with_chain(quote: &[u8], text: Vec<u8>) -> Vec<u8> {
    use dcap_qvl::quote::{AuthData, Data, Quote};
    use parity_scale_codec::Encode;
    let mut parsed = Quote::parse(quote).expect("parses");
    let AuthData::V3(auth) = &mut parsed.auth_data else { panic!("a v3 quote") };
    auth.certification_data.body = Data::new(text);
    parsed.encode()
}

fn chain_text(quote: &[u8]) -> Vec<u8> {
    dcap_qvl::quote::Quote::parse(quote).expect("parses").raw_cert_chain().expect("type 5").to_vec()
}

#[test]
fn every_byte_of_the_real_and_a_test_quote_is_bound_no_byte_can_change() {
    let (quote, collateral) = real_sgx();
    let intel = Verifier::intel();
    for i in 0..quote.len() {
        let mut flipped = quote.clone();
        flipped[i] ^= 0xff;
        assert!(intel.verify(&flipped, &collateral, REAL_AT).is_err(), "byte {i} of the real quote flipped: verified");
    }
    let pki = TestPki::new(NOW - 86_400, NOW + 86_400).expect("pki");
    let quote = pki.quote(&enclave()).expect("quote");
    let collateral = pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let test = Verifier::with_root_ca(pki.root_ca_der());
    test.verify(&quote, &collateral, NOW).expect("the unchanged quote verifies");
    for i in 0..quote.len() {
        let mut flipped = quote.clone();
        flipped[i] ^= 0xff;
        assert!(test.verify(&flipped, &collateral, NOW).is_err(), "byte {i} of the test quote flipped: verified");
    }
}

#[test]
fn trailing_bytes_another_pem_form_or_another_embedded_root_are_refused() {
    let (quote, collateral) = real_sgx();
    let intel = Verifier::intel();
    let mut longer = quote.clone();
    longer.push(0);
    assert!(matches!(intel.verify(&longer, &collateral, REAL_AT), Err(AttestError::NotCanonical { .. })));

    let text = chain_text(&quote);
    // The same certificates with CRLF line ends: dcap-qvl accepts them, we do not.
    let crlf = String::from_utf8(text.clone()).expect("ascii").replace('\n', "\r\n").into_bytes();
    let refused = intel.verify(&with_chain(&quote, crlf), &collateral, REAL_AT);
    assert!(matches!(refused, Err(AttestError::CertChain { fault: ChainFault::NotCanonical, .. })), "{refused:?}");
    // The embedded root swapped for another root: dcap-qvl never reads it, we require the pinned one.
    let pki = TestPki::new(REAL_AT - 86_400, REAL_AT + 86_400).expect("pki");
    let pems = pem::parse_many(&text).expect("pem");
    let other_root = pem::Pem::new("CERTIFICATE", pki.root_ca_der());
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    let swapped: String =
        [&pems[0], &pems[1], &other_root].iter().map(|p| pem::encode_config(p, config)).collect::<String>() + "\0";
    let refused = intel.verify(&with_chain(&quote, swapped.into_bytes()), &collateral, REAL_AT);
    assert!(matches!(refused, Err(AttestError::CertChain { fault: ChainFault::RootNotPinned, .. })), "{refused:?}");
    // Re-encoding the original text the same way gives the quote back: the check is exact, not lax.
    let same: String = pems.iter().map(|p| pem::encode_config(p, config)).collect::<String>() + "\0";
    assert_eq!(with_chain(&quote, same.into_bytes()), quote);
}

#[test]
fn the_pck_crl_issuer_chain_must_be_the_quotes_pck_ca_and_the_pinned_root() {
    let (quote, collateral) = real_sgx();
    let intel = Verifier::intel();
    let pki = TestPki::new(REAL_AT - 86_400, REAL_AT + 86_400).expect("pki");
    let test_chain = pki.collateral(TcbStatus::UpToDate, &[]).expect("collateral").pck_crl_issuer_chain;
    let pems = pem::parse_many(chain_text(&quote)).expect("pem");
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    let root_only = pem::encode_config(&pems[2], config);
    let leaf_and_root = pem::encode_config(&pems[0], config) + &root_only;
    for (chain, fault) in [
        (String::new(), ChainFault::Empty),
        ("garbage".to_string(), ChainFault::NotCanonical),
        (collateral.pck_crl_issuer_chain.replace('\n', "\r\n"), ChainFault::NotCanonical),
        (test_chain, ChainFault::RootNotPinned),
        (root_only, ChainFault::NotThePckCa),
        (leaf_and_root, ChainFault::NotThePckCa),
    ] {
        let mut c = collateral.clone();
        c.pck_crl_issuer_chain = chain.clone();
        match intel.verify(&quote, &c, REAL_AT) {
            Err(AttestError::CertChain { fault: f, .. }) => assert_eq!(f, fault, "{chain:?}"),
            other => panic!("{chain:?}: expected {fault}, got {other:?}"),
        }
    }
}
