//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod hostile_l2;
mod pool_store_feed;
