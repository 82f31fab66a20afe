//! `phat-prover optest`: real OP Stack blocks re-executed by the OP STF from their witness alone.
//!
//! A file (the format of `../shared/fixtures/op`, converted from kona-executor's test data) holds a
//! rollup config, the parent header, the payload attributes the block was built from, the block's
//! header and its witness. It passes when the STF accepts the block and its hash is
//! `expected_block_hash`, and the header is the one the attributes build (time, randao, fee
//! recipient, gas limit, beacon root, EIP-1559 parameters).

use std::path::Path;

use alloy_consensus::{Block, BlockBody, Header};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B64, B256, Bytes};
use alloy_rlp::Decodable;
use op_alloy_consensus::{OpTxEnvelope, encode_holocene_extra_data};
use phat_prover_core::{
    ExecutionWitness,
    op::{OpBlockOutcome, OpChainConfig, OpStatelessInput},
};
use serde::Deserialize;

use crate::{error::CliError, ethtest::Verdict};

/// The payload attributes the block was built from (op-node's `OpPayloadAttributes`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadAttributes {
    /// Block timestamp.
    #[serde(with = "alloy_serde_quantity")]
    pub timestamp: u64,
    /// The L1 origin's randao.
    pub prev_randao: B256,
    /// The fee recipient (the SequencerFeeVault).
    pub suggested_fee_recipient: Address,
    /// The L1 origin's parent beacon block root.
    pub parent_beacon_block_root: B256,
    /// Raw EIP-2718 transactions, deposits first.
    pub transactions: Vec<Bytes>,
    /// The SystemConfig's gas limit.
    #[serde(with = "alloy_serde_quantity")]
    pub gas_limit: u64,
    /// Holocene's EIP-1559 parameters (denominator ‖ elasticity), zero for the Canyon defaults.
    pub eip1559_params: B64,
}

/// The witness preimages of a file.
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureWitness {
    /// Trie nodes.
    pub state: Vec<Bytes>,
    /// Contract codes.
    pub codes: Vec<Bytes>,
    /// Ancestor headers beyond the parent.
    #[serde(default)]
    pub headers: Vec<Bytes>,
}

/// One OP block file.
#[derive(Debug, Clone, Deserialize)]
pub struct OpFixture {
    /// L2 chain id.
    pub chain_id: u64,
    /// Block number.
    pub block_number: u64,
    /// The rollup config (op-node / kona JSON).
    pub rollup_config: serde_json::Value,
    /// The parent header's RLP.
    pub parent_header_rlp: Bytes,
    /// The block's full header RLP.
    pub header_rlp: Bytes,
    /// The payload attributes.
    pub payload_attributes: PayloadAttributes,
    /// The real block hash.
    pub expected_block_hash: B256,
    /// The preimages.
    pub witness: FixtureWitness,
}

mod alloy_serde_quantity {
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s.strip_prefix("0x").ok_or_else(|| D::Error::custom("a quantity starts with 0x"))?;
        u64::from_str_radix(hex, 16).map_err(D::Error::custom)
    }
}

impl OpFixture {
    /// Reads a file.
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let bytes = std::fs::read(path).map_err(|e| CliError::io(path.display(), e))?;
        serde_json::from_slice(&bytes).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
    }

    /// The chain config from the file's rollup config.
    pub fn chain(&self) -> Result<OpChainConfig, CliError> {
        OpChainConfig::from_rollup_config(&self.rollup_config)
            .map_err(|e| CliError::Input(format!("rollup config: {e}")))
    }

    /// The stateless input: the block from its header and the attributes' transactions (an empty
    /// withdrawals list, as from Canyon), the witness with the parent header.
    pub fn input(&self) -> Result<OpStatelessInput, CliError> {
        let header = decode_exact::<Header>(&self.header_rlp)?;
        let transactions = self
            .payload_attributes
            .transactions
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                OpTxEnvelope::decode_2718_exact(raw).map_err(|e| CliError::Input(format!("transaction {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut headers = vec![self.parent_header_rlp.clone()];
        headers.extend(self.witness.headers.iter().cloned());
        Ok(OpStatelessInput {
            block: Block {
                header,
                body: BlockBody { transactions, ommers: vec![], withdrawals: Some(Default::default()) },
            },
            witness: ExecutionWitness {
                state: self.witness.state.clone(),
                codes: self.witness.codes.clone(),
                keys: vec![],
                headers,
            },
            l1_origin: None,
        })
    }

    /// Whether `header` is the one the payload attributes build: the fields no execution gives.
    pub fn check_attributes(&self, chain: &OpChainConfig, header: &Header) -> Result<(), String> {
        let a = &self.payload_attributes;
        let extra = encode_holocene_extra_data(a.eip1559_params, chain.canyon_base_fee_params())
            .map_err(|e| format!("eip1559Params: {e}"))?;
        for (field, ok) in [
            ("timestamp", header.timestamp == a.timestamp),
            ("mixHash", header.mix_hash == a.prev_randao),
            ("beneficiary", header.beneficiary == a.suggested_fee_recipient),
            ("gasLimit", header.gas_limit == a.gas_limit),
            ("parentBeaconBlockRoot", header.parent_beacon_block_root == Some(a.parent_beacon_block_root)),
            ("extraData", header.extra_data == extra),
        ] {
            if !ok {
                return Err(format!("header {field} is not the payload attributes'"));
            }
        }
        Ok(())
    }
}

fn decode_exact<T: Decodable>(mut buf: &[u8]) -> Result<T, CliError> {
    let value = T::decode(&mut buf).map_err(|e| CliError::Input(format!("rlp: {e}")))?;
    if buf.is_empty() { Ok(value) } else { Err(CliError::Input("rlp: trailing bytes".into())) }
}

/// The verdict on one file, with a name for it and the outcome when the STF accepted it.
pub fn run_file(path: &Path) -> Result<(String, Verdict, Option<OpBlockOutcome>), CliError> {
    let fixture = OpFixture::read(path)?;
    let name = format!(
        "{} (block {})",
        path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
        fixture.block_number
    );
    let chain = fixture.chain()?;
    let input = fixture.input()?;
    if chain.chain_id() != fixture.chain_id {
        return Ok((
            name,
            Verdict::Failed(format!(
                "rollup config chain id {} is not the file's {}",
                chain.chain_id(),
                fixture.chain_id
            )),
            None,
        ));
    }
    if let Err(e) = fixture.check_attributes(&chain, &input.block.header) {
        return Ok((name, Verdict::Failed(e), None));
    }
    Ok(match phat_prover_core::op::execute(&chain, &input) {
        Ok(outcome) if outcome.block.block_hash == fixture.expected_block_hash => {
            (name, Verdict::Passed, Some(outcome))
        }
        Ok(outcome) => (
            name,
            Verdict::Failed(format!(
                "block hash {}, expected {}",
                outcome.block.block_hash, fixture.expected_block_hash
            )),
            None,
        ),
        Err(e) => (name, Verdict::Failed(format!("refused: {e}")), None),
    })
}
