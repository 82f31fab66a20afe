//! What the binaries of this workspace share at their edges: logging set-up, the exit code and
//! the bounded HTTP server their routers run on.

pub mod http;

use std::{fmt::Display, process::ExitCode};

/// Logs to stderr, filtered by `RUST_LOG`, or by `default` when it is unset.
pub fn init_tracing(default: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into()))
        .with_writer(std::io::stderr)
        .init();
}

/// Success, or the error printed as `error: …` and a failure code.
pub fn exit_code<E: Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
