//! `phat-prover stateless`: the zkEVM ecosystem's stateless inputs (block, `ExecutionWitness`,
//! chain config; see `phat_witness::stateless`) through the STF, each under its own chain config,
//! from its witness alone. A file passes when the STF's verdict is the file's `success`: a valid
//! block is accepted (every header commitment reproduced), an invalid one refused.

use std::path::Path;

use phat_witness::stateless::StatelessFile;

use crate::{error::CliError, ethtest::Verdict};

/// The verdict on one stateless input file, and its name.
pub fn run_file(path: &Path) -> Result<(String, Verdict), CliError> {
    let file = StatelessFile::read(path)?;
    let verdict = match file.input() {
        Err(e) => Verdict::Failed(format!("input: {e}")),
        Ok((chain, input)) => {
            let expected_hash = input.block.header.hash_slow();
            match (phat_prover_core::execute(&chain, &input), file.success) {
                (Ok(outcome), true) if outcome.block_hash == expected_hash => Verdict::Passed,
                (Ok(outcome), true) => {
                    Verdict::Failed(format!("block hash {}, header says {expected_hash}", outcome.block_hash))
                }
                (Ok(_), false) => Verdict::Failed("accepted, but the block is invalid".into()),
                (Err(_), false) => Verdict::Passed,
                (Err(e), true) => Verdict::Failed(format!("refused: {e}")),
            }
        }
    };
    Ok((file.name, verdict))
}
