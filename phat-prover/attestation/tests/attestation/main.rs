//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod eventlog;
mod quotes;
mod tdx;
