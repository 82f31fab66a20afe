//! The stateless STF in Phala's SideVM: reads a chain config (its canonical encoding in hex, first
//! program argument: what the contract is configured with) and a witness bundle (hex, second
//! argument), executes the block under that chain config with `phat-prover-core` and emits the
//! outcome as the program output — `post_state_root ‖ block_hash ‖ gas_used (8 bytes, big-endian)
//! ‖ chain_config_hash`, or `error: …` — for the host to compare with the native STF. The rules come
//! from the caller's configuration, never from the bundle. It signs nothing: in the SideVM route the
//! contract signs what its own VM computed (see docs/security-model.md).

use phat_prover_core::{ChainConfig, WitnessBundle, execute};

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
    let mut args = std::env::args().skip(1);
    let hex_chain = args.next().ok_or("no chain config argument")?;
    let hex_bundle = args.next().ok_or("no bundle argument")?;
    let chain = hex::decode(hex_chain.strip_prefix("0x").unwrap_or(&hex_chain))
        .map_err(|e| format!("chain config hex: {e}"))?;
    let chain = ChainConfig::from_canonical(&chain).map_err(|e| format!("chain config: {e}"))?;
    let bytes = hex::decode(hex_bundle).map_err(|e| format!("bundle hex: {e}"))?;
    let bundle = WitnessBundle::from_bytes(&bytes).map_err(|e| format!("bundle: {e}"))?;
    let input = bundle.into_input(&chain).map_err(|e| format!("bundle: {e}"))?;
    let outcome = execute(&chain, &input).map_err(|e| format!("refused: {e}"))?;
    Ok([
        outcome.post_state_root.as_slice(),
        outcome.block_hash.as_slice(),
        &outcome.gas_used.to_be_bytes(),
        outcome.chain_config_hash.as_slice(),
    ]
    .concat())
}
