//! The relayer's embedded store (redb): per block, the proof and what was done on L1; and the
//! next block to work on. Written after L1 confirmed, read on start so a restart resumes where
//! it stopped. (L1 itself is checked before every submission, so even a crash between an L1
//! transaction and this write does not lead to a second submission.)

use std::path::Path;

use alloy_primitives::Address;
use phat_witness::ProofFile;
use redb::{Database, ReadableDatabase, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::{error::RelayerError, l1::Settled, prover::BatchProof};

const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Settled blocks not yet acknowledged by the Phala-side registry (reported until it does).
const UNREPORTED: TableDefinition<u64, ()> = TableDefinition::new("unreported");
const NEXT: &str = "next_block";

/// One relayed block.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRecord {
    pub block: u64,
    /// Name of the prover that answered.
    pub prover: String,
    /// Time to the prover's answer.
    pub prove_ms: u64,
    /// Time from seeing the block on L2 to the end of its L1 settlement.
    pub latency_ms: u64,
    /// L1 blocks from seeing the block on L2 (the L1 head then) to the L1 block of its settlement.
    #[serde(default)]
    pub latency_l1_blocks: Option<u64>,
    /// The block's own TEE-proof, when it was settled alone.
    pub proof: Option<ProofFile>,
    /// The batch TEE-proof it was settled with, when it was settled in a batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchProof>,
    pub l1: Settled,
}

impl BlockRecord {
    /// The prover key that signed the proof the block was settled with.
    pub fn signer(&self) -> Address {
        match (&self.proof, &self.batch) {
            (Some(p), _) => p.public_input.prover,
            (None, Some(b)) => b.prover,
            (None, None) => Address::ZERO,
        }
    }
}

/// The store.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, RelayerError> {
        let db = Database::create(path)?;
        let tx = db.begin_write()?;
        tx.open_table(BLOCKS)?;
        tx.open_table(META)?;
        tx.open_table(UNREPORTED)?;
        tx.commit()?;
        Ok(Self { db })
    }

    /// The next block to relay, if any was recorded.
    pub fn next_block(&self) -> Result<Option<u64>, RelayerError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(META)?.get(NEXT)?.map(|v| v.value()))
    }

    /// Records `record` and moves the next block past it, atomically; with `to_report`, the block
    /// also waits in the same transaction for the registry's acknowledgement.
    pub fn put(&self, record: &BlockRecord, to_report: bool) -> Result<(), RelayerError> {
        self.put_all(std::slice::from_ref(record), to_report)
    }

    /// [`Self::put`] for the records of one settlement (a batch), in one transaction: a restart
    /// never resumes inside a batch.
    pub fn put_all(&self, records: &[BlockRecord], to_report: bool) -> Result<(), RelayerError> {
        let tx = self.db.begin_write()?;
        {
            let mut blocks = tx.open_table(BLOCKS)?;
            let mut unreported = tx.open_table(UNREPORTED)?;
            for record in records {
                blocks.insert(record.block, serde_json::to_vec(record)?.as_slice())?;
                if to_report {
                    unreported.insert(record.block, ())?;
                }
            }
            if let Some(last) = records.last() {
                tx.open_table(META)?.insert(NEXT, last.block + 1)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The record of `block`.
    pub fn get(&self, block: u64) -> Result<Option<BlockRecord>, RelayerError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(BLOCKS)?;
        match table.get(block)? {
            None => Ok(None),
            Some(v) => Ok(Some(serde_json::from_slice(v.value())?)),
        }
    }

    /// Up to `limit` settled blocks the registry has not acknowledged, oldest first.
    pub fn unreported(&self, limit: usize) -> Result<Vec<u64>, RelayerError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(UNREPORTED)?;
        let mut blocks = Vec::new();
        for entry in redb::ReadableTable::iter(&table)?.take(limit) {
            blocks.push(entry?.0.value());
        }
        Ok(blocks)
    }

    /// The registry acknowledged `block` (credited now or before).
    pub fn mark_reported(&self, block: u64) -> Result<(), RelayerError> {
        let tx = self.db.begin_write()?;
        tx.open_table(UNREPORTED)?.remove(block)?;
        tx.commit()?;
        Ok(())
    }

    /// How many blocks are recorded.
    pub fn len(&self) -> Result<u64, RelayerError> {
        let tx = self.db.begin_read()?;
        Ok(redb::ReadableTableMetadata::len(&tx.open_table(BLOCKS)?)?)
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> Result<bool, RelayerError> {
        self.len().map(|n| n == 0)
    }
}
