//! A full in-memory Ethereum state: the pre-state of a conformance test, the baseline of the
//! benchmark. It can hand the STF a witness of all of itself and take a block's changes.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::Encodable;
use phat_prover_core::{ExecutionWitness, trie::PartialTrie};
use revm::{
    bytecode::Bytecode,
    database::{BundleState, CacheDB, EmptyDB},
    state::AccountInfo,
};
use serde::Deserialize;

use crate::error::CliError;

/// One account with its code and storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccountState {
    /// Account nonce.
    #[serde(with = "alloy::serde::quantity")]
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Runtime code (empty for an EOA).
    #[serde(default)]
    pub code: Bytes,
    /// Non-zero storage slots.
    #[serde(default)]
    pub storage: BTreeMap<U256, U256>,
}

/// Every account of a chain at one block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct FullState {
    /// Accounts by address.
    pub accounts: BTreeMap<Address, AccountState>,
}

impl FullState {
    /// Applies a block's state changes (as revm's bundle reports them).
    pub fn apply(&mut self, bundle: &BundleState) {
        for (address, change) in &bundle.state {
            let Some(info) = &change.info else {
                self.accounts.remove(address);
                continue;
            };
            let account = self.accounts.entry(*address).or_default();
            if change.was_destroyed() {
                account.storage.clear();
                account.code = Bytes::new();
            }
            account.nonce = info.nonce;
            account.balance = info.balance;
            if keccak256(&account.code) != info.code_hash {
                let code = info.code.clone().or_else(|| bundle.contracts.get(&info.code_hash).cloned());
                account.code = code.map(|c| c.original_bytes()).unwrap_or_default();
            }
            for (slot, value) in &change.storage {
                if value.present_value.is_zero() {
                    account.storage.remove(slot);
                } else {
                    account.storage.insert(*slot, value.present_value);
                }
            }
        }
        // Non-zero storage only: zero values are absent, as in the trie.
        for account in self.accounts.values_mut() {
            account.storage.retain(|_, v| !v.is_zero());
        }
    }

    /// The state root and a witness holding every node and code of the state.
    pub fn witness(&self) -> Result<(B256, ExecutionWitness), CliError> {
        let trie_err = |e: phat_prover_core::trie::TrieError| CliError::Input(format!("building state trie: {e}"));
        let mut witness = ExecutionWitness::default();
        let mut accounts = PartialTrie::empty();
        for (address, account) in &self.accounts {
            let mut storage = PartialTrie::empty();
            for (slot, value) in &account.storage {
                let mut leaf = Vec::with_capacity(33);
                value.encode(&mut leaf);
                storage.insert(keccak256(slot.to_be_bytes::<32>()).as_slice(), leaf).map_err(trie_err)?;
            }
            let leaf = alloy_trie::TrieAccount {
                nonce: account.nonce,
                balance: account.balance,
                storage_root: storage.root(),
                code_hash: keccak256(&account.code),
            };
            accounts.insert(keccak256(address).as_slice(), alloy_rlp::encode(leaf)).map_err(trie_err)?;
            witness.state.extend(storage.nodes());
            if !account.code.is_empty() {
                witness.codes.push(account.code.clone());
            }
            witness.keys.push(Bytes::copy_from_slice(address.as_slice()));
        }
        witness.state.extend(accounts.nodes());
        Ok((accounts.root(), witness))
    }

    /// The same state as a revm in-memory database (the benchmark's baseline).
    pub fn to_cache_db(&self) -> CacheDB<EmptyDB> {
        let mut db = CacheDB::new(EmptyDB::default());
        for (address, account) in &self.accounts {
            let code = Bytecode::new_raw_checked(account.code.clone()).unwrap_or_default();
            let info = AccountInfo::new(account.balance, account.nonce, keccak256(&account.code), code);
            db.insert_account_info(*address, info);
            for (slot, value) in &account.storage {
                // The account was just inserted, so this cannot fail.
                let _ = db.insert_account_storage(*address, *slot, *value);
            }
        }
        db
    }
}
