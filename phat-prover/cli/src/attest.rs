//! `phat-prover attest`: verify an SGX or TDX quote the way the attestation quorum does, and compute the
//! report_data a prover enclave must embed to register.

use std::path::Path;

use phat_attestation::{Binding, Collateral, Policy, VerifiedAny, Verifier, eventlog};
use serde_json::{Value, json};

use crate::error::CliError;

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(path.display(), e))
}

/// The verdict on `quote` against `collateral` at `at` under `policy` (registry defaults when
/// `None`), as JSON, and whether it is accepted. `root_ca` replaces Intel's root (test PKI only).
/// For a TDX quote, `event_log` (a dstack VM's) is replayed against it and names the app.
pub fn verify(
    quote: &Path,
    collateral: &Path,
    at: u64,
    (policy, root_ca): (Option<&Path>, Option<&Path>),
    event_log: Option<&Path>,
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
            // A TDX VM: every measured field, its measurement hash, its app (from the event log)
            // and the TDX rules' verdict.
            let app = match event_log {
                Some(path) => match eventlog::check(&read_event_log(path)?, &q.rtmr) {
                    Ok(app) => Some(app),
                    Err(e) => {
                        let reason = format!("event log: {e}");
                        let report = json!({ "root": root, "at": at, "genuine": true, "teeType": "tdx",
                            "quote": q, "accepted": false, "reason": reason });
                        return Ok((report, false));
                    }
                },
                None => None,
            };
            let verdict = q.check(&policy, at).and_then(|()| policy.tdx.check_app(app.as_ref()));
            let report = json!({
                "root": root,
                "at": at,
                "genuine": true,
                "teeType": "tdx",
                "quote": q,
                "measurement": q.measurement(),
                "measurementHash": q.measurement().hash(),
                "app": app,
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

/// A dstack event log: the guest agent's `GetQuote` answer (its `event_log` string) or the array.
fn read_event_log(path: &Path) -> Result<Vec<eventlog::Event>, CliError> {
    let text = String::from_utf8(read(path)?).map_err(|e| CliError::Input(format!("event log: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| CliError::Input(format!("event log: {e}")))?;
    let events = match &value["event_log"] {
        Value::String(inner) => inner.as_str(),
        _ => text.as_str(),
    };
    eventlog::parse(events).map_err(|e| CliError::Input(e.to_string()))
}

/// The report_data for `binding`, as JSON.
pub fn binding(binding: &Binding) -> Value {
    json!({
        "binding": binding,
        "digest": binding.digest(),
        "report_data": alloy_primitives::hex::encode_prefixed(binding.report_data()),
    })
}
