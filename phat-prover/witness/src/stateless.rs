//! The stateless input of the zkEVM ecosystem: what zkEVM guest programs and stateless validators
//! (reth's `stateless` crate, the zkevm benchmark workloads) take for one block — the block, an
//! `ExecutionWitness` and a chain config — as a JSON file:
//!
//! ```text
//! { "name", "success", "block_and_witness": { "block": { "header", "body" }, "witness", "chain_config" } }
//! ```
//!
//! The block and the chain config are in alloy's bincode-compatible serde form (snake_case fields,
//! plain integers: `alloy_consensus::serde_bincode_compat`, `alloy_genesis::serde_bincode_compat`),
//! so they are read and written with those very adapters; the witness has the `debug_executionWitness`
//! shape our own input has. [`StatelessFile::input`] gives the rules and the input the STF takes;
//! [`StatelessFile::from_input`] writes an input back, and the round trip is lossless: the block
//! through its RLP, the witness as is, the chain config through alloy's type.

use alloy_consensus::{Block, BlockBody, Header, TxEnvelope};
use alloy_eips::eip4895::Withdrawals;
use phat_prover_core::{ChainConfig, ExecutionWitness, StatelessInput};
use serde::{Deserialize, Serialize};
use serde_with::serde_as;

use crate::error::FileError;

/// One stateless input file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatelessFile {
    /// The test or workload name.
    pub name: String,
    /// Whether the block is valid: a stateless validator must accept it (and reproduce its
    /// header) or refuse it.
    pub success: bool,
    /// The input itself.
    pub block_and_witness: BlockAndWitness,
}

/// The block, its witness and the chain's rules.
#[serde_as]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockAndWitness {
    /// The block.
    pub block: JsonBlock,
    /// Trie nodes, codes, keys, ancestor headers.
    pub witness: ExecutionWitness,
    /// The chain config (geth genesis `config`, bincode-compatible form).
    #[serde_as(as = "alloy_genesis::serde_bincode_compat::ChainConfig")]
    pub chain_config: alloy_genesis::ChainConfig,
}

/// A block in alloy's bincode-compatible serde form.
#[serde_as]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonBlock {
    /// The header.
    #[serde_as(as = "alloy_consensus::serde_bincode_compat::Header")]
    pub header: Header,
    /// Transactions, ommers, withdrawals.
    pub body: JsonBody,
}

/// A block body in alloy's bincode-compatible serde form.
#[serde_as]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonBody {
    /// Signed transactions.
    #[serde_as(
        as = "Vec<alloy_consensus::serde_bincode_compat::EthereumTxEnvelope<'_, alloy_consensus::TxEip4844Variant>>"
    )]
    pub transactions: Vec<TxEnvelope>,
    /// Ommer headers (none after the merge).
    #[serde_as(as = "Vec<alloy_consensus::serde_bincode_compat::Header>")]
    pub ommers: Vec<Header>,
    /// Withdrawals (from Shanghai).
    pub withdrawals: Option<Withdrawals>,
}

impl StatelessFile {
    /// Reads a stateless input file.
    pub fn read(path: &std::path::Path) -> Result<Self, FileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| FileError::Io { path: path.display().to_string(), source })?;
        Self::from_json(&text)
    }

    /// Reads a stateless input from JSON text.
    pub fn from_json(text: &str) -> Result<Self, FileError> {
        serde_json::from_str(text).map_err(FileError::Json)
    }

    /// The rules (the file's chain config, as the STF takes it) and the stateless input.
    pub fn input(&self) -> Result<(ChainConfig, StatelessInput), FileError> {
        let chain = ChainConfig::from_genesis(&self.block_and_witness.chain_config)?;
        let block = &self.block_and_witness.block;
        let block = Block {
            header: block.header.clone(),
            body: BlockBody {
                transactions: block.body.transactions.clone(),
                ommers: block.body.ommers.clone(),
                withdrawals: block.body.withdrawals.clone(),
            },
        };
        Ok((chain, StatelessInput { block, witness: self.block_and_witness.witness.clone() }))
    }

    /// The file of `input` under `chain_config`: what [`Self::input`] reads back.
    pub fn from_input(
        name: String,
        success: bool,
        input: &StatelessInput,
        chain_config: alloy_genesis::ChainConfig,
    ) -> Self {
        let body = &input.block.body;
        Self {
            name,
            success,
            block_and_witness: BlockAndWitness {
                block: JsonBlock {
                    header: input.block.header.clone(),
                    body: JsonBody {
                        transactions: body.transactions.clone(),
                        ommers: body.ommers.clone(),
                        withdrawals: body.withdrawals.clone(),
                    },
                },
                witness: input.witness.clone(),
                chain_config,
            },
        }
    }
}
