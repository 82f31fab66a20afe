//! The tests of the dstack guest-agent client in one binary: against the testkit's mock agent
//! (`agent`) and against sockets that misbehave (`transport`).

mod agent;
mod transport;

use std::{
    path::PathBuf,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use phat_attestation_testkit::testkit::TestPki;

/// A socket path of its own for each test (unix socket paths are short: under the temp dir).
pub fn socket_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("phat-dstack-{}-{name}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

/// A test PKI valid for an hour around now.
pub fn pki() -> Arc<TestPki> {
    Arc::new(TestPki::new(now() - 3600, now() + 3600).expect("test pki"))
}
