//! The stateless STF in Phala's SideVM: reads a witness bundle (hex, first program argument),
//! executes it with `phat-prover-core` and emits the outcome as the program output —
//! `post_state_root ‖ block_hash ‖ gas_used (8 bytes, big-endian)`, or `error: …` — for the host to
//! compare with the native STF. It signs nothing: in the SideVM route the contract signs what its
//! own VM computed (see docs/security-model.md).

use phat_prover_core::{WitnessBundle, execute};

#[sidevm::main]
async fn main() {
    let output = match prove() {
        Ok(output) => output,
        Err(e) => format!("error: {e}").into_bytes(),
    };
    if let Err(e) = sidevm::ocall::emit_program_output(&output) {
        log::error!("cannot emit the output: {e:?}");
    }
}

fn prove() -> Result<Vec<u8>, String> {
    let hex_bundle = std::env::args().nth(1).ok_or("no bundle argument")?;
    let bytes = hex::decode(hex_bundle).map_err(|e| format!("bundle hex: {e}"))?;
    let bundle = WitnessBundle::from_bytes(&bytes).map_err(|e| format!("bundle: {e}"))?;
    let (chain, input) = bundle.into_input().map_err(|e| format!("bundle: {e}"))?;
    let outcome = execute(&chain, &input).map_err(|e| format!("refused: {e}"))?;
    Ok([outcome.post_state_root.as_slice(), outcome.block_hash.as_slice(), &outcome.gas_used.to_be_bytes()].concat())
}
