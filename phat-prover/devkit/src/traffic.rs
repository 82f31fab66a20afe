//! Real L2 traffic for the devnet and the tests: value transfers to fresh accounts, contract
//! deployments, storage writes and overwrites, and logs.
//!
//! No storage deletes: anvil keeps a slot written with zero as a leaf with value `rlp(0)` in its
//! storage trie (seen with `eth_getProof`), so its state root after a delete is not Ethereum's and
//! the STF rightly refuses the block. Deletes and branch collapse are covered by the official
//! BlockchainTests and the trie vectors instead.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};

use crate::error::DevkitError;

/// Init code of a key-value store contract, written by hand so no compiler is needed:
/// runtime `key = calldata[0..32], value = calldata[32..64]; LOG1(topic = key); SSTORE(key, value)`
/// (a zero value clears the slot).
pub const STORE_INIT_CODE: [u8; 26] = [
    // constructor: CODECOPY(0, 12, 14); RETURN(0, 14)
    0x60, 0x0e, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x0e, 0x60, 0x00, 0xf3,
    // runtime: PUSH1 32 CALLDATALOAD PUSH1 0 CALLDATALOAD DUP1 PUSH1 0 PUSH1 0 LOG1 SSTORE STOP
    0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x80, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x55, 0x00,
];

/// Init code that hashes 32 bytes in a loop until less than 50 000 gas is left, then stops
/// (deploys nothing): compute-heavy blocks. `JUMPDEST PUSH2 50000 GAS LT PUSH1 18 JUMPI
/// PUSH1 32 PUSH1 0 KECCAK256 POP PUSH1 0 JUMP JUMPDEST STOP`.
pub const KECCAK_LOOP_INIT: [u8; 20] = [
    0x5b, 0x61, 0xc3, 0x50, 0x5a, 0x10, 0x60, 0x12, 0x57, 0x60, 0x20, 0x60, 0x00, 0x20, 0x50, 0x60, 0x00, 0x56, 0x5b,
    0x00,
];

/// Init code that writes slot i = i for i = 1, 2, … until less than 50 000 gas is left: blocks
/// heavy in storage writes (and in witness and trie work). `PUSH1 1 JUMPDEST PUSH2 50000 GAS LT
/// PUSH1 20 JUMPI DUP1 DUP1 SSTORE PUSH1 1 ADD PUSH1 2 JUMP JUMPDEST STOP`.
pub const SSTORE_LOOP_INIT: [u8; 22] = [
    0x60, 0x01, 0x5b, 0x61, 0xc3, 0x50, 0x5a, 0x10, 0x60, 0x14, 0x57, 0x80, 0x80, 0x55, 0x60, 0x01, 0x01, 0x60, 0x02,
    0x56, 0x5b, 0x00,
];

/// Sends one transaction per step, cycling through the kinds of state change.
pub struct Traffic {
    provider: DynProvider,
    stores: Vec<Address>,
    step: u64,
}

pub(crate) fn node(call: &'static str) -> impl FnOnce(alloy::transports::TransportError) -> DevkitError {
    move |e| DevkitError::Node { call, message: e.to_string() }
}

fn pending(call: &'static str) -> impl FnOnce(alloy::providers::PendingTransactionError) -> DevkitError {
    move |e| DevkitError::Node { call, message: e.to_string() }
}

impl Traffic {
    /// Traffic from the account of `key` on the node at `url`.
    pub fn new(url: &str, key: &str) -> Result<Self, DevkitError> {
        let signer: PrivateKeySigner = key.parse().map_err(|_| DevkitError::Key)?;
        let url = url.parse().map_err(|_| DevkitError::Url(url.into()))?;
        let provider = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(url).erased();
        Ok(Self { provider, stores: Vec::new(), step: 0 })
    }

    /// Sends the next transaction, waits for its receipt and returns what it did.
    pub async fn step(&mut self) -> Result<String, DevkitError> {
        let (tx, what) = self.next_request();
        let receipt = self.mine("traffic transaction", tx).await?;
        if let Some(address) = receipt.contract_address {
            self.stores.push(address);
        }
        Ok(what)
    }

    /// The next transaction of the cycle (transfer, store, overwrite, deploy) and what it does.
    pub(crate) fn next_request(&mut self) -> (TransactionRequest, String) {
        let n = self.step;
        self.step += 1;
        let seed = keccak256(n.to_be_bytes());
        let (tx, what) = match (n % 5, self.stores.last().copied()) {
            (_, None) | (4, _) => (
                TransactionRequest::default().with_deploy_code(Bytes::from_static(&STORE_INIT_CODE)),
                "deploy".to_string(),
            ),
            (0, _) => {
                let to = Address::from_slice(&seed[12..]);
                (
                    TransactionRequest::default()
                        .with_to(to)
                        .with_value(U256::from(n + 1) * U256::from(10u64).pow(U256::from(15))),
                    format!("transfer to {to}"),
                )
            }
            (1 | 2, Some(store)) => {
                let (key, value) = (B256::from(U256::from(n % 3)), seed);
                (store_call(store, key, value), format!("store slot {} of {store}", n % 3))
            }
            (_, Some(store)) => {
                let key = B256::from(U256::from((n + 1) % 3));
                (store_call(store, key, keccak256(seed)), format!("overwrite slot {} of {store}", (n + 1) % 3))
            }
        };
        (tx, what)
    }

    /// The node this traffic goes to.
    pub(crate) fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Remembers a store contract deployed by a [`Self::next_request`] transaction.
    pub(crate) fn deployed(&mut self, address: Address) {
        self.stores.push(address);
    }

    /// Sends `init_code` as a contract creation with `gas` gas, alone in its block; returns the
    /// block number and the gas it used.
    pub async fn create(&mut self, init_code: &[u8], gas: u64) -> Result<(u64, u64), DevkitError> {
        let tx = TransactionRequest::default().with_deploy_code(Bytes::copy_from_slice(init_code)).with_gas_limit(gas);
        let receipt = self.mine("create", tx).await?;
        let block = receipt
            .block_number
            .ok_or_else(|| DevkitError::Node { call: "receipt", message: "no block number".into() })?;
        Ok((block, receipt.gas_used))
    }

    /// Sends `tx` in a block of its own (after its parent's timestamp) and waits for its receipt,
    /// which must be a success (`call` names it in the error).
    async fn mine(
        &self,
        call: &'static str,
        tx: TransactionRequest,
    ) -> Result<alloy::rpc::types::TransactionReceipt, DevkitError> {
        self.next_timestamp().await?;
        let receipt = self
            .provider
            .send_transaction(tx)
            .await
            .map_err(node("send"))
            .map(|p| p.get_receipt())?
            .await
            .map_err(pending("receipt"))?;
        if !receipt.status() {
            return Err(DevkitError::Node { call, message: format!("{} reverted", receipt.transaction_hash) });
        }
        Ok(receipt)
    }

    /// anvil may mine two blocks in the same second with equal timestamps, which Ethereum's header
    /// rules (and so the STF) refuse: pin the next block's timestamp after its parent's.
    pub(crate) async fn next_timestamp(&self) -> Result<(), DevkitError> {
        let latest = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(node("eth_getBlockByNumber"))?
            .ok_or_else(|| DevkitError::Node { call: "eth_getBlockByNumber", message: "no latest block".into() })?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let next = now.max(latest.header.timestamp + 1);
        self.provider
            .raw_request::<_, serde_json::Value>("evm_setNextBlockTimestamp".into(), (next,))
            .await
            .map_err(node("evm_setNextBlockTimestamp"))?;
        Ok(())
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64, DevkitError> {
        self.provider.get_block_number().await.map_err(node("eth_blockNumber"))
    }
}

fn store_call(store: Address, key: B256, value: B256) -> TransactionRequest {
    TransactionRequest::default()
        .with_to(store)
        .with_input([key.as_slice(), value.as_slice()].concat())
        .with_gas_limit(100_000)
}
