//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod devnet;
mod head;
mod refusal;
mod registration;
mod soak;
mod tdx;
