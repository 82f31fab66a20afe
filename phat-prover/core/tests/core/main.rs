//! The integration tests of this crate in one binary (one build and link instead of one per file).

mod trie_proptest;
mod trie_vectors;
