//! An OP Stack L2 for the devnet and the tests: anvil in OP mode (`--optimism`: op-revm executes
//! deposits, the L1 data fee and the fee vaults), with its blocks built the way an OP sequencer
//! builds them: each opens with the L1-attributes deposit naming an L1 block, then user deposits,
//! then transactions (`--order fifo`, one `evm_mine` per block).
//!
//! What anvil does not do, and the devnet's chain config therefore relaxes by name
//! (`phatDevnetAnvilOp`): it writes no EIP-1559 parameters into `extraData` (Holocene), so the base
//! fee follows the config's Canyon parameters (anvil's own, 6 / 250). It derives nothing from L1:
//! the L1-attributes deposits are this module's, naming real blocks of the devnet's L1.

use alloy::{
    eips::{BlockNumberOrTag, Encodable2718},
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    providers::Provider,
};
use alloy_op_hardforks::OpHardfork;
use op_alloy_consensus::{L2_TO_L1_MESSAGE_PASSER_ADDRESS, OpTxEnvelope, TxDeposit};
use phat_prover_core::op::{
    OpChainConfig, OpChainConfigParts,
    chain::op_forks_through,
    l1_info::{ISTHMUS_SELECTOR, L1_BLOCK, L1_INFO_DEPOSITOR},
    output_root_v0,
};

use crate::{Anvil, DevkitError, Traffic, traffic::node};

/// anvil's EIP-1559 parameters in OP mode (OP's Canyon defaults).
pub const ANVIL_OP_ELASTICITY: u64 = 6;
/// See [`ANVIL_OP_ELASTICITY`].
pub const ANVIL_OP_DENOMINATOR: u64 = 250;

/// The chain config of an OP L2 anvil: every OP fork through Isthmus from genesis (anvil's OP mode
/// runs Isthmus: Prague's EVM, the requests hash), anvil's EIP-1559 parameters, and the devnet
/// relaxation `phatDevnetAnvilOp` (base fee from the config, no `extraData` parameters). A real
/// rollup's config comes from its `rollup.json`.
pub fn op_l2_chain_config(chain_id: u64) -> OpChainConfig {
    match OpChainConfig::new(op_l2_chain_parts(chain_id)) {
        Ok(config) => config,
        Err(e) => unreachable!("the Isthmus-from-genesis OP config is valid: {e}"),
    }
}

/// The parts of [`op_l2_chain_config`] (to build a variant of it, e.g. without the relaxation).
pub fn op_l2_chain_parts(chain_id: u64) -> OpChainConfigParts {
    OpChainConfigParts {
        chain_id,
        fork_times: op_forks_through(OpHardfork::Isthmus).map(|f| (f, 0)).collect(),
        unsupported_from: None,
        eip1559_elasticity: ANVIL_OP_ELASTICITY,
        eip1559_denominator_canyon: ANVIL_OP_DENOMINATOR,
        devnet_anvil: true,
    }
}

/// Starts an OP-mode anvil on chain `chain_id` that mines only when told to.
pub fn spawn_op_l2(chain_id: u64) -> Result<Anvil, DevkitError> {
    Anvil::spawn(&["--optimism", "--order", "fifo", "--no-mining", "--chain-id", &chain_id.to_string()])
}

/// An L1 block as an L1-attributes deposit names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Ref {
    /// Number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Base fee.
    pub base_fee: u64,
    /// Hash.
    pub hash: B256,
}

impl L1Ref {
    /// The latest block of the L1 at `provider`.
    pub async fn latest(provider: &impl Provider) -> Result<Self, DevkitError> {
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(node("eth_getBlockByNumber"))?
            .ok_or_else(|| DevkitError::Node { call: "eth_getBlockByNumber", message: "no latest L1 block".into() })?;
        Ok(Self {
            number: block.header.number,
            timestamp: block.header.timestamp,
            base_fee: block.header.base_fee_per_gas.unwrap_or_default(),
            hash: block.header.hash,
        })
    }
}

/// The devnet's fee parameters in its L1-attributes deposits: OP Sepolia's Ecotone scalars and a
/// small operator fee, so every transaction pays an L1 data fee and an operator fee into their
/// vaults.
pub const BASE_FEE_SCALAR: u32 = 7600;
/// See [`BASE_FEE_SCALAR`].
pub const BLOB_BASE_FEE_SCALAR: u32 = 862_000;
/// See [`BASE_FEE_SCALAR`] (operator fee = gas × scalar / 10⁶ + constant).
pub const OPERATOR_FEE_SCALAR: u32 = 1000;
/// See [`OPERATOR_FEE_SCALAR`].
pub const OPERATOR_FEE_CONSTANT: u64 = 1_000_000;

/// The L1Block contract's `setL1BlockValuesEcotone` / `…Isthmus` storage writes, assembled by hand
/// (no Solidity compiler for the devnet): slot 3 ← scalars ‖ sequence number, slot 0 ← timestamp ‖
/// number, slot 1 ← base fee, slot 7 ← blob base fee, slot 2 ← hash, slot 4 ← batcher hash,
/// slot 8 ← operator fee scalar ‖ constant. The slots op-revm reads for the L1 and operator fees.
/// anvil's OP mode has no predeploys; without code the L1Block account would be an empty account
/// that the first deposit's call deletes (EIP-161).
pub const L1_BLOCK_CODE: [u8; 51] = [
    0x60, 0x04, 0x35, 0x60, 0x80, 0x1c, 0x60, 0x03, 0x55, // sstore(3, calldataload(4) >> 128)
    0x60, 0x14, 0x35, 0x60, 0x80, 0x1c, 0x60, 0x00, 0x55, // sstore(0, calldataload(20) >> 128)
    0x60, 0x24, 0x35, 0x60, 0x01, 0x55, // sstore(1, calldataload(36))
    0x60, 0x44, 0x35, 0x60, 0x07, 0x55, // sstore(7, calldataload(68))
    0x60, 0x64, 0x35, 0x60, 0x02, 0x55, // sstore(2, calldataload(100))
    0x60, 0x84, 0x35, 0x60, 0x04, 0x55, // sstore(4, calldataload(132))
    0x60, 0xa4, 0x35, 0x60, 0xa0, 0x1c, 0x60, 0x08, 0x55, // sstore(8, calldataload(164) >> 160)
];

/// The Isthmus L1-attributes calldata (`setL1BlockValuesIsthmus`, 176 bytes) naming `l1` as the
/// `sequence`-th L2 block of its epoch, with the devnet's fee parameters.
pub fn l1_info_calldata(l1: &L1Ref, sequence: u64) -> Bytes {
    let mut data = Vec::with_capacity(176);
    data.extend_from_slice(&ISTHMUS_SELECTOR);
    data.extend_from_slice(&BASE_FEE_SCALAR.to_be_bytes());
    data.extend_from_slice(&BLOB_BASE_FEE_SCALAR.to_be_bytes());
    data.extend_from_slice(&sequence.to_be_bytes());
    data.extend_from_slice(&l1.timestamp.to_be_bytes());
    data.extend_from_slice(&l1.number.to_be_bytes());
    data.extend_from_slice(&U256::from(l1.base_fee).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(1).to_be_bytes::<32>()); // blobBaseFee
    data.extend_from_slice(l1.hash.as_slice());
    data.extend_from_slice(keccak256("phat-sgx-prover devnet batcher").as_slice()); // batcherHash
    data.extend_from_slice(&OPERATOR_FEE_SCALAR.to_be_bytes());
    data.extend_from_slice(&OPERATOR_FEE_CONSTANT.to_be_bytes());
    data.into()
}

/// A deposit's source hash (OP deposit spec): `keccak256(domain ‖ keccak256(l1Hash ‖ index))`,
/// domain 0 for user deposits, 1 for L1-attributes deposits.
fn source_hash(domain: u64, l1_hash: B256, index: u64) -> B256 {
    let inner = keccak256([l1_hash.as_slice(), &U256::from(index).to_be_bytes::<32>()].concat());
    keccak256([&U256::from(domain).to_be_bytes::<32>()[..], inner.as_slice()].concat())
}

/// The output root of L2 block `number` as the node at `l2_rpc` has it: its state root, the
/// L2ToL1MessagePasser's storage root (`eth_getProof`) and its hash.
pub async fn output_root_at(l2_rpc: &str, number: u64) -> Result<B256, DevkitError> {
    let url = l2_rpc.parse().map_err(|_| DevkitError::Url(l2_rpc.into()))?;
    let l2 = alloy::providers::ProviderBuilder::new().connect_http(url);
    let header = l2
        .get_block_by_number(number.into())
        .await
        .map_err(node("eth_getBlockByNumber"))?
        .ok_or_else(|| DevkitError::Node { call: "eth_getBlockByNumber", message: format!("no block {number}") })?
        .header;
    let proof = l2
        .get_proof(L2_TO_L1_MESSAGE_PASSER_ADDRESS, vec![])
        .block_id(number.into())
        .await
        .map_err(node("eth_getProof"))?;
    Ok(output_root_v0(header.state_root, proof.storage_hash, header.hash))
}

/// The L1 account of the devnet's user deposits (a deposit needs no key: L1's portal vouches for
/// its sender).
pub const DEPOSITOR: Address = alloy::primitives::address!("0x00000000000000000000000000000000de9051d0");

/// Builds OP blocks on an OP-mode anvil (see [`spawn_op_l2`]): per block the L1-attributes deposit,
/// every third block a user deposit minting ETH, and one transaction of [`Traffic`]'s cycle.
pub struct OpTraffic {
    traffic: Traffic,
    epoch: Option<B256>,
    sequence: u64,
    blocks: u64,
}

impl OpTraffic {
    /// Traffic from the account of `key` on the OP L2 at `url`; installs the L1Block code
    /// ([`L1_BLOCK_CODE`]) first.
    pub async fn start(url: &str, key: &str) -> Result<Self, DevkitError> {
        let traffic = Traffic::new(url, key)?;
        traffic
            .provider()
            .raw_request::<_, serde_json::Value>("anvil_setCode".into(), (L1_BLOCK, Bytes::from_static(&L1_BLOCK_CODE)))
            .await
            .map_err(node("anvil_setCode"))?;
        Ok(Self { traffic, epoch: None, sequence: 0, blocks: 0 })
    }

    /// Mines one block on L1 origin `l1` and returns its number and what its transactions did.
    /// Every transaction must succeed.
    pub async fn block(&mut self, l1: &L1Ref) -> Result<(u64, String), DevkitError> {
        let n = self.blocks;
        self.blocks += 1;
        self.sequence = if self.epoch == Some(l1.hash) { self.sequence + 1 } else { 0 };
        self.epoch = Some(l1.hash);
        let provider = self.traffic.provider().clone();
        let send_raw = async |tx: TxDeposit| -> Result<(), DevkitError> {
            let raw: Bytes = OpTxEnvelope::from(tx).encoded_2718().into();
            provider
                .raw_request::<_, B256>("eth_sendRawTransaction".into(), (raw,))
                .await
                .map(drop)
                .map_err(node("eth_sendRawTransaction"))
        };
        send_raw(TxDeposit {
            source_hash: source_hash(1, l1.hash, self.sequence),
            from: L1_INFO_DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: 1_000_000,
            is_system_transaction: false,
            input: l1_info_calldata(l1, self.sequence),
        })
        .await?;
        let mut what = vec![format!("L1 origin {}", l1.number)];
        let mut count = 1;
        if n.is_multiple_of(3) {
            let to = Address::from_slice(&keccak256(format!("op deposit {n}"))[12..]);
            send_raw(TxDeposit {
                source_hash: source_hash(0, l1.hash, n),
                // Not the traffic's account: anvil's pool would count the deposit in its nonce.
                from: DEPOSITOR,
                to: TxKind::Call(to),
                mint: 10u128.pow(18),
                value: U256::from(n + 1),
                gas_limit: 100_000,
                is_system_transaction: false,
                input: Bytes::new(),
            })
            .await?;
            what.push(format!("deposit to {to}"));
            count += 1;
        }
        let (tx, did) = self.traffic.next_request();
        provider.send_transaction(tx).await.map(drop).map_err(node("send"))?;
        what.push(did);
        count += 1;
        self.traffic.next_timestamp().await?;
        provider.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.map_err(node("evm_mine"))?;
        let number = provider.get_block_number().await.map_err(node("eth_blockNumber"))?;
        // Deposit receipts are OP's (type 0x7e): read as JSON.
        let receipts: Vec<serde_json::Value> = provider
            .raw_request("eth_getBlockReceipts".into(), (BlockNumberOrTag::Number(number),))
            .await
            .map_err(node("eth_getBlockReceipts"))?;
        if receipts.len() != count || receipts.iter().any(|r| r["status"] != "0x1") {
            return Err(DevkitError::Node {
                call: "OP block",
                message: format!("block {number}: {} receipts for {count} transactions, or one failed", receipts.len()),
            });
        }
        if let Some(address) = receipts.iter().find_map(|r| r["contractAddress"].as_str()?.parse().ok()) {
            self.traffic.deployed(address);
        }
        Ok((number, what.join(", ")))
    }
}
