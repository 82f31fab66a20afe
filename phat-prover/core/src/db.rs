//! A revm database that answers only from the witness.
//!
//! Accounts come from the state trie opened at the parent's state root, slots from storage tries
//! opened at each account's storage root, codes by hash, block hashes from the verified ancestors.
//! A read the witness cannot answer is an error: the block is refused, never executed on a default.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256, map::AddressMap, map::B256Map};
use alloy_rlp::Encodable;
use alloy_trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY, TrieAccount};
use revm::{
    bytecode::Bytecode,
    database::{BundleState, Database},
    state::AccountInfo,
};

use crate::{
    error::DbError,
    trie::{NodePool, PartialTrie},
    witness::decode_exact,
};

/// The parent state as far as the witness reveals it.
#[derive(Debug)]
pub struct WitnessDb {
    nodes: NodePool,
    codes: B256Map<Bytes>,
    block_hashes: Vec<(u64, B256)>,
    accounts: PartialTrie,
    storage: AddressMap<PartialTrie>,
    /// The first read the witness could not answer; revm reports DB errors as strings, so the typed
    /// error is kept here for the STF to return.
    pub first_error: Option<DbError>,
}

impl WitnessDb {
    /// Opens the state trie at `state_root` over the witness nodes.
    pub fn new(
        state_root: B256,
        nodes: NodePool,
        codes: B256Map<Bytes>,
        block_hashes: Vec<(u64, B256)>,
    ) -> Result<Self, DbError> {
        let accounts = PartialTrie::open(state_root, &nodes)?;
        Ok(Self { nodes, codes, block_hashes, accounts, storage: AddressMap::default(), first_error: None })
    }

    fn record<T>(&mut self, r: Result<T, DbError>) -> Result<T, DbError> {
        if let Err(e) = &r {
            self.first_error.get_or_insert_with(|| e.clone());
        }
        r
    }

    fn trie_account(&mut self, address: Address) -> Result<Option<TrieAccount>, DbError> {
        match self.accounts.get(keccak256(address).as_slice())? {
            None => Ok(None),
            Some(leaf) => decode_exact::<TrieAccount>(leaf).map(Some).map_err(|_| DbError::InvalidAccount(address)),
        }
    }

    fn storage_trie(&mut self, address: Address) -> Result<&mut PartialTrie, DbError> {
        if !self.storage.contains_key(&address) {
            let root = self.trie_account(address)?.map_or(EMPTY_ROOT_HASH, |a| a.storage_root);
            let trie = PartialTrie::open(root, &self.nodes)?;
            self.storage.insert(address, trie);
        }
        // Inserted just above if it was absent.
        self.storage.get_mut(&address).ok_or(DbError::InvalidStorage(address))
    }

    fn read_slot(&mut self, address: Address, index: U256) -> Result<U256, DbError> {
        let key = keccak256(index.to_be_bytes::<32>());
        match self.storage_trie(address)?.get(key.as_slice())? {
            None => Ok(U256::ZERO),
            Some(leaf) => decode_exact::<U256>(leaf).map_err(|_| DbError::InvalidStorage(address)),
        }
    }

    /// The account at `address` as the trie holds it now (the parent state, or the post state
    /// after [`Self::apply`]); an error if the witness lacks its path.
    pub fn account(&mut self, address: Address) -> Result<Option<TrieAccount>, DbError> {
        self.trie_account(address)
    }

    /// Writes the block's state changes into the tries and returns the post-state root.
    ///
    /// Storage of a destroyed (or destroyed and re-created) account starts from the empty trie;
    /// otherwise only the changed slots are written, zero meaning delete.
    pub fn apply(&mut self, bundle: &BundleState) -> Result<B256, DbError> {
        // Deterministic order keeps the root computation independent of hash-map iteration.
        let mut changed: Vec<_> = bundle.state.iter().collect();
        changed.sort_unstable_by_key(|(address, _)| **address);
        for (&address, account) in changed {
            let destroyed = account.was_destroyed();
            if !destroyed && !account.is_info_changed() && account.storage.is_empty() {
                continue;
            }
            let key = keccak256(address);
            let Some(info) = &account.info else {
                self.accounts.remove(key.as_slice())?;
                self.storage.remove(&address);
                continue;
            };
            if destroyed {
                self.storage.insert(address, PartialTrie::empty());
            }
            let mut slots: Vec<_> = account.storage.iter().filter(|(_, s)| destroyed || s.is_changed()).collect();
            slots.sort_unstable_by_key(|(slot, _)| **slot);
            let trie = self.storage_trie(address)?;
            for (slot, value) in slots {
                let slot_key = keccak256(slot.to_be_bytes::<32>());
                if value.present_value.is_zero() {
                    trie.remove(slot_key.as_slice())?;
                } else {
                    let mut leaf = Vec::with_capacity(33);
                    value.present_value.encode(&mut leaf);
                    trie.insert(slot_key.as_slice(), leaf)?;
                }
            }
            let storage_root = trie.root();
            let leaf =
                TrieAccount { nonce: info.nonce, balance: info.balance, storage_root, code_hash: info.code_hash };
            self.accounts.insert(key.as_slice(), alloy_rlp::encode(leaf))?;
        }
        Ok(self.accounts.root())
    }
}

impl Database for WitnessDb {
    type Error = DbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, DbError> {
        let account = self.trie_account(address);
        let account = self.record(account)?;
        let Some(account) = account else { return Ok(None) };
        let code =
            if account.code_hash == KECCAK_EMPTY { Bytecode::default() } else { self.code_by_hash(account.code_hash)? };
        Ok(Some(AccountInfo::new(account.balance, account.nonce, account.code_hash, code)))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, DbError> {
        let code = match self.codes.get(&code_hash) {
            // A malformed EIP-7702 designator cannot be in a valid state: refuse, do not panic.
            Some(code) => Bytecode::new_raw_checked(code.clone()).map_err(|_| DbError::MissingCode(code_hash)),
            None => Err(DbError::MissingCode(code_hash)),
        };
        self.record(code)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, DbError> {
        let value = self.read_slot(address, index);
        self.record(value)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, DbError> {
        let hash = match self.block_hashes.iter().find(|(n, _)| *n == number) {
            Some((_, hash)) => Ok(*hash),
            None => Err(DbError::MissingBlockHash(number)),
        };
        self.record(hash)
    }
}
