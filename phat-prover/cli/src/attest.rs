//! `phat-prover attest`: verify an SGX or TDX quote the way the attestation quorum does, and compute the
//! report_data a prover enclave must embed to register.

use std::path::Path;

use phat_attestation::{Binding, Collateral, Policy, VerifiedAny, Verifier};
use serde_json::{Value, json};

use crate::error::CliError;

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(path.display(), e))
}

/// The verdict on `quote` against `collateral` at `at` under `policy` (registry defaults when
/// `None`), as JSON, and whether it is accepted. `root_ca` replaces Intel's root (test PKI only).
pub fn verify(
    quote: &Path,
    collateral: &Path,
    at: u64,
    policy: Option<&Path>,
    root_ca: Option<&Path>,
) -> Result<(Value, bool), CliError> {
    let quote = read(quote)?;
    let text = String::from_utf8(read(collateral)?).map_err(|e| CliError::Input(format!("collateral: {e}")))?;
    let collateral =
        Collateral::from_json(&text).and_then(|c| c.to_dcap()).map_err(|e| CliError::Input(e.to_string()))?;
    let policy = match policy {
        Some(path) => Policy::load(path).map_err(|e| CliError::Input(e.to_string()))?,
        None => Policy::default(),
    };
    let verifier = match root_ca {
        Some(path) => Verifier::with_root_ca(read(path)?),
        None => Verifier::intel(),
    };
    let root = verifier.root_description();
    let verified = match verifier.verify_any(&quote, &collateral, at) {
        Ok(VerifiedAny::Sgx(v)) => v,
        Ok(VerifiedAny::Tdx(q)) => {
            // A TDX VM: every measured field, its measurement hash and the TDX rules' verdict.
            let verdict = q.check(&policy, at);
            let report = json!({
                "root": root,
                "at": at,
                "genuine": true,
                "teeType": "tdx",
                "quote": q,
                "measurement": q.measurement(),
                "measurementHash": q.measurement().hash(),
                "accepted": verdict.is_ok(),
                "reason": verdict.as_ref().err().map(ToString::to_string),
            });
            return Ok((report, verdict.is_ok()));
        }
        Err(e) => {
            let report =
                json!({ "root": root, "at": at, "genuine": false, "accepted": false, "reason": e.to_string() });
            return Ok((report, false));
        }
    };
    let attestation = verified.normalized();
    let verdict = policy.check(&attestation, at);
    let report = json!({
        "root": root,
        "at": at,
        "genuine": true,
        "teeType": "sgx",
        "quote": verified,
        "attestation": attestation,
        "accepted": verdict.is_ok(),
        "reason": verdict.as_ref().err().map(ToString::to_string),
    });
    Ok((report, verdict.is_ok()))
}

/// The report_data for `binding`, as JSON.
pub fn binding(binding: &Binding) -> Value {
    json!({
        "binding": binding,
        "digest": binding.digest(),
        "report_data": alloy_primitives::hex::encode_prefixed(binding.report_data()),
    })
}
