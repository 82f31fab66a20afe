//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod anvil_l2;
mod attest;
mod bundle;
mod common;
mod optest;
mod prove_verify;
