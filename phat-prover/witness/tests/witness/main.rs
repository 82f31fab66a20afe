//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod fetch;
mod op;
mod refusal;
mod serve;
mod stateless;
