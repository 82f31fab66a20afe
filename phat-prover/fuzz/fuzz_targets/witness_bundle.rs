//! `WitnessBundle::from_bytes` on arbitrary bytes. A bundle that decodes re-encodes to the same
//! bytes (its encoding is canonical: one bundle, one byte string), and the STF runs it under a fixed
//! chain config (Osaka from genesis, chain id 1) to `Ok` or `Err`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phat_prover_core::{WitnessBundle, execute};
use phat_prover_fuzz::osaka;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = WitnessBundle::from_bytes(data) else { return };
    let bytes = bundle.to_bytes();
    assert_eq!(bytes, data, "a decoded bundle re-encodes to other bytes");
    assert_eq!(WitnessBundle::from_bytes(&bytes).as_ref(), Ok(&bundle));
    let chain = osaka();
    if let Ok(input) = bundle.into_input(chain) {
        let _ = execute(chain, &input);
    }
});
