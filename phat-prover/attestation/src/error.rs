//! Why a quote, its collateral or its attestation is refused.

use alloy_primitives::{B256, Bytes};
use thiserror::Error;

use crate::attestation::TcbStatus;

/// A refusal: nothing is attested and nothing is signed.
#[derive(Debug, Error)]
pub enum AttestError {
    /// The quote or its collateral failed DCAP verification (signatures, certificate chain, CRLs,
    /// validity at the given time, TCB matching, DEBUG enclave, Revoked TCB, ...).
    #[error("quote verification failed: {0}")]
    Quote(String),
    /// The quote is not byte for byte its own encoding (trailing bytes, another length form).
    #[error("the quote is not in its canonical encoding: {len} bytes given, {canonical} when re-encoded")]
    NotCanonical { len: usize, canonical: usize },
    /// A certificate chain of the quote or its collateral is not one dcap-qvl's answer depends on.
    #[error("{chain}: {fault}")]
    CertChain { chain: &'static str, fault: ChainFault },
    /// A verified quote that is not an SGX enclave quote where one is required.
    #[error("not an SGX enclave quote")]
    NotSgx,
    /// The collateral document could not be read.
    #[error("collateral: {0}")]
    Collateral(String),
    /// The policy document could not be read.
    #[error("policy: {0}")]
    PolicyFile(String),
    /// The quote is genuine but the policy refuses it.
    #[error(transparent)]
    Policy(#[from] PolicyViolation),
    /// report_data does not carry the registration binding.
    #[error("report_data does not carry the binding: expected {expected} followed by 32 zero bytes, got {got}")]
    Binding { expected: B256, got: Bytes },
    /// The event log given with a TDX quote is not the one its registers measured.
    #[error("event log: {0}")]
    EventLog(#[from] crate::eventlog::EventLogError),
    /// An event log given with an SGX quote (an enclave has none).
    #[error("an event log was given with an SGX enclave quote")]
    EventLogForSgx,
}

/// What is wrong with a certificate chain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainFault {
    #[error("not a PEM list of certificates")]
    NotPem,
    #[error("not in canonical PEM form (64-column base64, LF line ends)")]
    NotCanonical,
    #[error("no certificate")]
    Empty,
    #[error("{0} certificates, expected 3 (PCK, PCK CA, root)")]
    Length(usize),
    #[error("its root is not the pinned root certificate")]
    RootNotPinned,
    #[error("not the quote's PCK CA followed by the root")]
    NotThePckCa,
}

/// A policy rule the attestation breaks (the same rules as `ProverRegistry`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyViolation {
    #[error("unsupported TEE type {0:#x} (only SGX enclaves, 0, and TDX trust domains, 0x81, prove)")]
    UnsupportedTeeType(u8),
    #[error("forbidden attributes {0} (DEBUG, PROVISION_KEY or EINITTOKEN_KEY set)")]
    ForbiddenAttributes(String),
    #[error("TCB status {status} not accepted (advisories: {advisories})")]
    TcbStatusNotAccepted { status: TcbStatus, advisories: String },
    #[error(
        "measurement not allowed: mr_enclave {mr_enclave}, mr_signer {mr_signer}, isv_prod_id {isv_prod_id}, isv_svn {isv_svn}"
    )]
    MeasurementNotAllowed { mr_enclave: B256, mr_signer: B256, isv_prod_id: u16, isv_svn: u16 },
    #[error("a TD under debug (td_attributes {0}): the host can read and write its memory")]
    TdUnderDebug(String),
    #[error("a service TD is bound (mr_service_td {0})")]
    ServiceTdBound(String),
    #[error("TDX measurement {0} (mr_td, rtmr0..2, mr_config_id) not allowed")]
    TdMeasurementNotAllowed(B256),
    #[error("TD owner {0} not allowed")]
    TdOwnerNotAllowed(String),
    #[error("the policy allow-lists dstack apps by compose hash, and no event log was given")]
    NoEventLog,
    #[error("dstack app with compose hash {0} not allowed")]
    ComposeHashNotAllowed(B256),
    #[error("attestation verified at {verified_at}, older than {max_age} s at {now}")]
    NotFresh { verified_at: u64, max_age: u64, now: u64 },
}
