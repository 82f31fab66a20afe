//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod devnet;
mod head;
mod op;
mod refusal;
mod registration;
mod soak;
mod tdx;
