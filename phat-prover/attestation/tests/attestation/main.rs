//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod eventlog;
mod normalized_tdx;
mod quotes;
mod tdx;
