//! A TDX quote as L1 consumes it (issue 15, item 5): `VerifiedTdQuote::normalized` on dcap-qvl's
//! real TDX quotes (v4, TD 1.0; v5, TD 1.5), the report id and the measurement hash the registry
//! computes, the registration binding, and `Policy::check` — the off-chain mirror of
//! `ProverRegistry._checkPolicy` — applying the TDX rules to the normalized attestation. That the
//! Solidity computes the same values is checked by `make vectors-check` and
//! `evm-contracts/test/TeeVectors.t.sol` (`tdxAttestations`).

use std::path::PathBuf;

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, address, b256, keccak256};
use alloy_sol_types::SolValue;
use phat_attestation::{
    AttestError, Binding, Collateral, Measurement, Policy, PolicyViolation, TcbStatus, VerifiedAny, VerifiedTdQuote,
    Verifier,
    attestation::{TEE_TYPE_TDX, advisories_hash, report_id},
    eventlog::DstackApp,
    policy::Grace,
    tdx::{tdx_measurement_hash, tdx_measurement_tag},
};

/// 2025-07-01, inside the v4 quote's collateral validity.
const V4_AT: u64 = 1_751_328_000;
/// 2026-10-15, inside the v5 quote's collateral validity.
const V5_AT: u64 = 1_792_022_400;

fn verified(name: &str, at: u64) -> VerifiedTdQuote {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dcap");
    let quote = std::fs::read(dir.join(name)).expect("fixture");
    let text = std::fs::read_to_string(dir.join(format!("{name}_collateral.json"))).expect("fixture");
    let collateral = Collateral::from_json(&text).expect("parses").to_dcap().expect("decodes");
    match Verifier::intel().verify_any(&quote, &collateral, at) {
        Ok(VerifiedAny::Tdx(q)) => q,
        other => panic!("{name}: {other:?}"),
    }
}

fn app(compose_hash: B256) -> DstackApp {
    DstackApp {
        compose_hash,
        app_id: Bytes::from_static(&[0x37; 20]),
        key_provider: Bytes::from_static(b"{}"),
        instance_id: None,
    }
}

#[test]
fn a_tdx_quote_normalizes_for_l1() {
    assert_eq!(TEE_TYPE_TDX, 0x81);
    assert_eq!(tdx_measurement_tag(), keccak256("phat-sgx-prover.tdx-measurement.v1"));
    for (name, at) in [("tdx_quote", V4_AT), ("tdx_quote_td15ex", V5_AT)] {
        let q = verified(name, at);
        let a = q.normalized(None);
        assert_eq!(a.teeType, TEE_TYPE_TDX, "{name}");
        assert_eq!(a.tcbStatus, TcbStatus::UpToDate as u8);
        assert_eq!(a.advisoriesHash, advisories_hash(&q.advisory_ids));
        // td_attributes then XFAM, as in the quote: SEPT_VE_DISABLE only; x87 … AMX.
        assert_eq!(&a.attributes[..8], q.td_attributes.as_slice(), "{name}");
        assert_eq!(&a.attributes[8..], q.xfam.as_slice(), "{name}");
        let expected: [u8; 16] = hex::decode("0000001000000000e702060000000000").expect("hex").try_into().expect("16");
        assert_eq!(a.attributes, FixedBytes(expected), "{name}");
        let m = q.measurement();
        assert_eq!(a.tdMeasurement, keccak256([m.mr_td, m.rtmr0, m.rtmr1, m.rtmr2, m.mr_config_id].concat()));
        assert_eq!(a.tdOwner, keccak256([q.mr_owner, q.mr_owner_config].concat()));
        assert_eq!(a.tdOwner, q.owner().hash());
        assert_eq!(a.composeHash, B256::ZERO, "no event log, no compose hash");
        assert!(!a.serviceTdBound, "{name}: no service TD bound");
        assert_eq!((a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn), (B256::ZERO, B256::ZERO, 0, 0), "SGX fields");
        assert_eq!(a.reportData.as_ref(), q.report_data.as_slice());
        assert_eq!(
            (a.verifiedAt, a.tcbInfoHash, a.qeIdentityHash, a.crlsHash),
            (at, q.tcb_info_hash, q.qe_identity_hash, q.crls_hash)
        );
        // With the app its replayed event log names.
        let compose = b256!("3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7");
        assert_eq!(q.normalized(Some(&app(compose))).composeHash, compose);
        // A bound service TD shows, whichever byte.
        for byte in [0, 47] {
            let mut serviced = q.clone();
            serviced.mr_service_td[byte] = 1;
            assert!(serviced.normalized(None).serviceTdBound);
        }
        // What the registry allow-lists for it: tagged, every part counted.
        let h = tdx_measurement_hash(a.tdMeasurement, a.tdOwner, compose);
        assert_eq!(h, keccak256((tdx_measurement_tag(), a.tdMeasurement, a.tdOwner, compose).abi_encode()));
        assert_ne!(h, tdx_measurement_hash(a.tdMeasurement, a.tdOwner, B256::ZERO));
        assert_ne!(h, tdx_measurement_hash(a.tdMeasurement, B256::ZERO, compose));
        assert_ne!(h, tdx_measurement_hash(B256::ZERO, a.tdOwner, compose));
    }
}

#[test]
fn a_tdx_report_id_covers_its_tee_type_and_tdx_fields() {
    let a = verified("tdx_quote", V4_AT).normalized(Some(&app(B256::repeat_byte(7))));
    let id = report_id(&a);
    let expected = keccak256(
        (U256::from(a.teeType), a.tdMeasurement, a.tdOwner, a.composeHash, a.attributes, a.reportData.clone())
            .abi_encode_params(),
    );
    assert_eq!(id, expected);
    for change in 0..6 {
        let mut b = a.clone();
        match change {
            0 => b.tdMeasurement.0[0] ^= 1,
            1 => b.tdOwner.0[0] ^= 1,
            2 => b.composeHash = B256::ZERO,
            3 => b.attributes.0[15] ^= 1,
            4 => b.reportData = Bytes::from(vec![0u8; 64]),
            _ => b.teeType = 0,
        }
        assert_ne!(report_id(&b), id, "change {change}");
    }
}

#[test]
fn a_tdx_quotes_binding_is_its_report_data() {
    let q = verified("tdx_quote", V4_AT);
    let binding = Binding {
        chain_id: 31_337,
        registry: address!("0x7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E7EE7E"),
        prover: Address::repeat_byte(0x11),
        beneficiary: Address::repeat_byte(0x22),
        l1_block_number: 99,
        l1_block_hash: keccak256("l1 block 99"),
    };
    // The sample quote carries another report_data.
    let err = q.check_binding(&binding).expect_err("not this binding");
    assert!(matches!(err, AttestError::Binding { expected, .. } if expected == binding.digest()));
    let mut bound = q.clone();
    bound.report_data = FixedBytes::from(binding.report_data());
    bound.check_binding(&binding).expect("bound");
    for other in [
        Binding { prover: Address::repeat_byte(0x33), ..binding },
        Binding { beneficiary: Address::repeat_byte(0x33), ..binding },
        Binding { l1_block_number: 98, ..binding },
        Binding { chain_id: 1, ..binding },
    ] {
        assert!(bound.check_binding(&other).is_err());
    }
    // The second half must be zero.
    let mut padded = bound.clone();
    padded.report_data[63] = 1;
    assert!(padded.check_binding(&binding).is_err());
}

/// `Policy::check` on a TD's normalized attestation: the generic TDX rules (TD under debug,
/// service TD, TCB, freshness), and not SGX's measurement allow-list.
#[test]
fn the_registry_policy_mirror_applies_the_tdx_rules() {
    let a = verified("tdx_quote", V4_AT).normalized(Some(&app(B256::repeat_byte(7))));
    let open = Policy::default();
    assert_eq!(open.check(&a, V4_AT), Ok(()));
    // SGX's measurement allow-list does not judge a TD (L1 judges it by tdxMeasurementHash).
    let sgx_listed = Policy {
        measurements: Some(vec![Measurement {
            mr_enclave: B256::repeat_byte(1),
            mr_signer: B256::repeat_byte(2),
            isv_prod_id: 1,
            isv_svn: 1,
        }]),
        ..Policy::default()
    };
    assert_eq!(sgx_listed.check(&a, V4_AT), Ok(()));
    // Every TD-under-debug bit of td_attributes byte 0; nothing above it.
    for bit in 0..8 {
        let mut debug = a.clone();
        debug.attributes.0[0] |= 1 << bit;
        assert!(matches!(open.check(&debug, V4_AT), Err(PolicyViolation::TdUnderDebug(_))), "TUD bit {bit}");
    }
    let mut high = a.clone();
    high.attributes.0[1..].fill(0xff);
    assert_eq!(open.check(&high, V4_AT), Ok(()));
    let mut serviced = a.clone();
    serviced.serviceTdBound = true;
    assert!(matches!(open.check(&serviced, V4_AT), Err(PolicyViolation::ServiceTdBound(_))));
    // TCB as for SGX: Revoked never, OutOfDate only under grace.
    let mut revoked = a.clone();
    revoked.tcbStatus = TcbStatus::Revoked as u8;
    assert!(matches!(open.check(&revoked, V4_AT), Err(PolicyViolation::TcbStatusNotAccepted { .. })));
    let mut old = a.clone();
    old.tcbStatus = TcbStatus::OutOfDate as u8;
    assert!(matches!(open.check(&old, V4_AT), Err(PolicyViolation::TcbStatusNotAccepted { .. })));
    let graced = Policy { grace: vec![Grace { status: TcbStatus::OutOfDate, until: V4_AT }], ..Policy::default() };
    assert_eq!(graced.check(&old, V4_AT), Ok(()));
    // Freshness.
    let fresh = Policy { max_attestation_age: Some(3600), ..Policy::default() };
    assert_eq!(fresh.check(&a, V4_AT + 3600), Ok(()));
    assert!(matches!(fresh.check(&a, V4_AT + 3601), Err(PolicyViolation::NotFresh { .. })));
    assert!(fresh.check(&a, V4_AT - 1).is_err(), "verified in the future");
    // Neither SGX's TEE type nor TDX's.
    let mut unknown = a.clone();
    unknown.teeType = 0x80;
    assert_eq!(open.check(&unknown, V4_AT), Err(PolicyViolation::UnsupportedTeeType(0x80)));
}
