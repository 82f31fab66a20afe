//! `phat-prover attest`: the real SGX quote from the fixtures, through the binary.

use std::{path::PathBuf, process::Command};

fn dcap(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dcap").join(name)
}

fn attest(args: &[&str]) -> (bool, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phat-prover")).arg("attest").args(args).output().expect("runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn attest_verify_reports_fields_and_the_policy_verdict() {
    let quote = dcap("sgx_quote");
    let collateral = dcap("sgx_quote_collateral.json");
    let base = ["verify", "--quote", quote.to_str().unwrap(), "--collateral", collateral.to_str().unwrap()];

    // Genuine, but the registry's default policy refuses its TCB status.
    let (ok, json, _) = attest(&[&base[..], &["--at", "1751328000"]].concat());
    assert!(!ok);
    assert_eq!(json["genuine"], true);
    assert_eq!(json["quote"]["tcb_status"], "ConfigurationAndSWHardeningNeeded");
    assert!(json["quote"]["mr_enclave"].as_str().unwrap().starts_with("0x33d8736d"));
    assert_eq!(json["attestation"]["tcbStatus"], 3);
    assert!(json["reason"].as_str().unwrap().contains("not accepted"), "{json}");

    // Under a policy that graces the status and trusts the measurement: accepted.
    let dir = std::env::temp_dir().join(format!("phat-attest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    let mr_enclave = json["quote"]["mr_enclave"].as_str().unwrap().to_owned();
    let mr_signer = json["quote"]["mr_signer"].as_str().unwrap().to_owned();
    std::fs::write(
        &policy,
        format!(
            "[[measurements]]\nmr_enclave = \"{mr_enclave}\"\nmr_signer = \"{mr_signer}\"\nisv_prod_id = 0\nisv_svn = 0\n\
             [[grace]]\nstatus = \"ConfigurationAndSWHardeningNeeded\"\nuntil = 1751328000\n"
        ),
    )
    .unwrap();
    let with_policy = [&base[..], &["--at", "1751328000", "--policy", policy.to_str().unwrap()]].concat();
    let (ok, json, stderr) = attest(&with_policy);
    assert!(ok, "{json} {stderr}");
    assert_eq!(json["accepted"], true);

    // A month later the collateral has expired: not genuine any more.
    let (ok, json, _) = attest(&[&base[..], &["--at", "1754006400", "--policy", policy.to_str().unwrap()]].concat());
    assert!(!ok);
    assert_eq!(json["genuine"], false);
    assert!(json["reason"].as_str().unwrap().contains("expired"), "{json}");

    // A bad policy file is an error, not a verdict.
    std::fs::write(&policy, "measurements = 3\n").unwrap();
    let (ok, json, stderr) = attest(&with_policy);
    assert!(!ok && json.is_null(), "{json}");
    assert!(stderr.contains("policy"), "{stderr}");
}

#[test]
fn attest_binding_prints_the_report_data() {
    let (ok, json, stderr) = attest(&[
        "binding",
        "--prover",
        "0x1111111111111111111111111111111111111111",
        "--registry",
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "--chain-id",
        "31337",
        "--block-number",
        "41",
        "--block-hash",
        "0x6c3b4e8d2f1a09c7b5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a9f8e",
    ]);
    assert!(ok, "{stderr}");
    let data = json["report_data"].as_str().unwrap();
    assert_eq!(data.len(), 2 + 128);
    assert_eq!(&data[2..66], &json["digest"].as_str().unwrap()[2..]);
    assert!(data[66..].chars().all(|c| c == '0'));
    assert_eq!(json["binding"]["beneficiary"], "0x1111111111111111111111111111111111111111");
}

/// A TDX quote (v4, TD 1.0): the TEE type, every measured field and the measurement hash, and the
/// verdict of the TDX rules; a policy whose allow-list lacks its measurement refuses it.
#[test]
fn attest_verify_reports_a_tdx_quote_and_its_measurement() {
    let quote = dcap("tdx_quote");
    let collateral = dcap("tdx_quote_collateral.json");
    let base = ["verify", "--quote", quote.to_str().unwrap(), "--collateral", collateral.to_str().unwrap()];
    let (ok, json, stderr) = attest(&[&base[..], &["--at", "1751328000"]].concat());
    assert!(ok, "{stderr} {json}");
    assert_eq!(json["teeType"], "tdx");
    assert_eq!(json["quote"]["quote_version"], 4);
    for field in ["mr_td", "mr_config_id", "mr_owner", "mr_owner_config", "td_attributes", "xfam", "report_data"] {
        assert!(json["quote"][field].as_str().is_some_and(|v| v.starts_with("0x")), "{field}: {json}");
    }
    assert_eq!(json["quote"]["rtmr"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["measurement"]["mr_td"], json["quote"]["mr_td"]);
    assert!(json["measurementHash"].as_str().is_some_and(|h| h.len() == 66));

    let dir = std::env::temp_dir().join(format!("phat-attest-tdx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    let zero = format!("0x{}", "00".repeat(48));
    std::fs::write(
        &policy,
        format!(
            "[tdx]\nmeasurements = [{{ mr_td = \"{zero}\", rtmr0 = \"{zero}\", rtmr1 = \"{zero}\", rtmr2 = \"{zero}\", mr_config_id = \"{zero}\" }}]\n"
        ),
    )
    .unwrap();
    let (ok, json, _) = attest(&[&base[..], &["--at", "1751328000", "--policy", policy.to_str().unwrap()]].concat());
    assert!(!ok);
    assert!(json["reason"].as_str().unwrap().contains("not allowed"), "{json}");

    // Another VM's event log (a real dstack VM's, from the fixtures) does not replay to this
    // quote's registers: refused.
    let log = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/dstack/quote-report.json");
    let (ok, json, _) = attest(&[&base[..], &["--at", "1751328000", "--event-log", log.to_str().unwrap()]].concat());
    assert!(!ok);
    assert!(json["reason"].as_str().unwrap().contains("event log: the replayed RTMR"), "{json}");
    let _ = std::fs::remove_dir_all(dir);
}
