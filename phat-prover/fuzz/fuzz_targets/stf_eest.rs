//! The STF on mutated real blocks. Input (`phat_prover_fuzz::split_stf_input`): a chain-config
//! selector byte, then a witness bundle; the seeds are blocks of the execution spec tests with their
//! full pre-state as witness, under the test's own config (`examples/seeds.rs`). libFuzzer's
//! mutations of the bundle bytes reach the bundle and block decoding, the witness caps, the ancestor
//! chain, the header rules, the transaction root and signatures, the trie and the EVM. `Ok` or `Err`,
//! never a panic, a hang or a blow-up; a block accepted under one config is accepted again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phat_prover_core::{WitnessBundle, execute};
use phat_prover_fuzz::split_stf_input;

fuzz_target!(|data: &[u8]| {
    let Some((chain, bytes)) = split_stf_input(data) else { return };
    let Ok(bundle) = WitnessBundle::from_bytes(bytes) else { return };
    let Ok(input) = bundle.into_input(chain) else { return };
    if let Ok(outcome) = execute(chain, &input) {
        assert_eq!(outcome.chain_config_hash, chain.hash());
        assert_eq!(outcome.block_hash, input.block.header.hash_slow());
        assert_eq!(execute(chain, &input), Ok(outcome), "the STF is not deterministic");
    }
});
