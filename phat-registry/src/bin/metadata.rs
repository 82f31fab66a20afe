//! Prints the `phat-registry` contract's ink! metadata as JSON.
#![allow(unused_crate_dependencies)]
use phat_registry as _;

phat_prover_contract::ink_metadata_main!();
