//! Prints the `phat-prover` contract's ink! metadata as JSON.
#![allow(unused_crate_dependencies)]
use phat_prover_contract as _;

phat_prover_contract::ink_metadata_main!();
