//! The JSON-RPC answer readers of `phat_rpc` on arbitrary bytes: `witness_bundles`,
//! `transaction_params`, `sent`. Input: the first block asked for (1 byte), how many (1 byte), then
//! the answer body, read by all three. A witness answer that is accepted gives one bundle per block
//! asked, each for the chain asked, whose encoding round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phat_prover_core::WitnessBundle;
use phat_prover_fuzz::CHAIN_ID;
use phat_rpc::{sent, transaction_params, witness_bundles};

fuzz_target!(|data: &[u8]| {
    let [first, count, body @ ..] = data else { return };
    let (first, count) = (u64::from(*first), u64::from(*count));
    if let Ok(bundles) = witness_bundles(body, first, count, CHAIN_ID) {
        assert_eq!(bundles.len() as u64, count);
        for bundle in bundles {
            assert_eq!(bundle.chain_id, CHAIN_ID);
            assert_eq!(WitnessBundle::from_bytes(&bundle.to_bytes()), Ok(bundle));
        }
    }
    let _ = transaction_params(body);
    let _ = sent(body);
});
