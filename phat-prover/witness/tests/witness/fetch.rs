//! `rpc::fetch_witness` against a real anvil (Prague): transfers, deployments, storage writes and
//! deletes chosen to make branches collapse into every kind of sibling (leaf, extension, branch),
//! a storage trie emptied, a BLOCKHASH read — then every block from 2 on is fetched as a witness
//! and executed statelessly, which must reproduce the node's post-state root.
//!
//! anvil 1.7.1 does not compute canonical state roots: every storage slot a block loads stays in
//! its storage trie, so a slot set to zero (or a zero slot read or written) leaves a leaf of value
//! zero where Ethereum has none. A block doing so cannot be proven as anvil sealed it. For every
//! block the test therefore also computes the reference root — anvil's post-state with only the
//! canonical transition applied to the storage of the test contracts (zero leaves the block
//! created dropped, those anvil already had kept) — and requires the STF to compute exactly that;
//! where anvil is canonical (no zeroing) the reference is anvil's own root.
//!
//! The anvil helper is the library's `phat_devkit::anvil::Anvil`.

use std::{collections::BTreeMap, time::Instant};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use alloy_consensus::Header;
use alloy_trie::{HashBuilder, Nibbles, TrieAccount, proof::verify_proof};
use phat_devkit::{Anvil, DEV_KEY};
use phat_prover_core::{
    StfError,
    trie::{NodePool, PartialTrie},
    witness::decode_exact,
};
use phat_witness::{FetchError, fetch_witness};

/// Init code of a store whose runtime SSTOREs each 64-byte `(key, value)` pair of its calldata:
/// `i = 0; while i < calldatasize { SSTORE(calldata[i], calldata[i + 32]); i += 64 }`.
const MULTI_STORE: [u8; 37] = [
    // constructor: CODECOPY(0, 12, 25); RETURN(0, 25)
    0x60, 0x19, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x19, 0x60, 0x00, 0xf3, // runtime
    0x60, 0x00, // PUSH1 0            [i]
    0x5b, // 0x02 JUMPDEST
    0x80, 0x36, 0x11, // DUP1 CALLDATASIZE GT   [size > i, i]
    0x60, 0x0a, 0x57, // PUSH1 0x0a JUMPI
    0x00, // STOP
    0x5b, // 0x0a JUMPDEST        [i]
    0x80, 0x60, 0x20, 0x01, 0x35, // DUP1 PUSH1 32 ADD CALLDATALOAD   [value, i]
    0x81, 0x35, // DUP2 CALLDATALOAD  [key, value, i]
    0x55, // SSTORE               [i]
    0x60, 0x40, 0x01, // PUSH1 64 ADD
    0x60, 0x02, 0x56, // PUSH1 2 JUMP
];

/// Init code of a contract whose runtime stores `BLOCKHASH(NUMBER - 5)` in slot 0.
const BLOCKHASH_STORE: [u8; 21] = [
    0x60, 0x09, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x09, 0x60, 0x00, 0xf3, // constructor
    0x60, 0x05, 0x43, 0x03, 0x40, 0x60, 0x00, 0x55, 0x00, // PUSH1 5 NUMBER SUB BLOCKHASH PUSH1 0 SSTORE STOP
];

fn nibble(hash: &B256, i: usize) -> u8 {
    let byte = hash[i / 2];
    if i.is_multiple_of(2) { byte >> 4 } else { byte & 0x0f }
}

fn hashed(slot: u64) -> B256 {
    keccak256(B256::from(U256::from(slot)))
}

/// Slots whose storage-trie paths give the shapes we want (see the test).
struct Slots {
    a: u64,
    /// b, c: same first nibble (not a's), different second nibble: a branch under a's sibling.
    b: u64,
    c: u64,
    /// d, e: same first two nibbles (first not a's), different third: an extension.
    d: u64,
    e: u64,
}

fn slots() -> Slots {
    let a = 1;
    let first = |s: u64| nibble(&hashed(s), 0);
    let second = |s: u64| nibble(&hashed(s), 1);
    let third = |s: u64| nibble(&hashed(s), 2);
    let b = (2..).find(|&s| first(s) != first(a)).expect("b");
    let c = (2..).find(|&s| s != b && first(s) == first(b) && second(s) != second(b)).expect("c");
    let (mut d, mut e) = (0, 0);
    'outer: for x in 2..20_000u64 {
        if first(x) == first(a) {
            continue;
        }
        for y in x + 1..20_000u64 {
            if first(y) == first(x) && second(y) == second(x) && third(y) != third(x) {
                (d, e) = (x, y);
                break 'outer;
            }
        }
    }
    assert!(d != 0, "no extension pair found");
    Slots { a, b, c, d, e }
}

fn pairs(pairs: &[(u64, u64)]) -> Bytes {
    pairs.iter().flat_map(|(k, v)| [B256::from(U256::from(*k)).0, B256::from(U256::from(*v)).0]).flatten().collect()
}

/// The post-state root of block `number` under canonical storage semantics, starting from anvil's
/// parent state: for each contract of `known` (with every slot it ever used), its storage trie is
/// anvil's after the block without the zero leaves the block created.
async fn reference_root(provider: &DynProvider, number: u64, known: &BTreeMap<Address, Vec<u64>>) -> B256 {
    let header = provider.get_block_by_number(number.into()).await.expect("rpc").expect("block").header;
    let mut pool = NodePool::default();
    let mut updates = Vec::new();
    for (address, slots) in known {
        let keys: Vec<B256> = slots.iter().map(|s| B256::from(U256::from(*s))).collect();
        let post = provider.get_proof(*address, keys.clone()).number(number).await.expect("proof");
        let pre = provider.get_proof(*address, keys.clone()).number(number - 1).await.expect("proof");
        for node in &post.account_proof {
            pool.insert(node.clone());
        }
        if post.code_hash == B256::ZERO || post.code_hash == alloy_trie::KECCAK_EMPTY {
            continue; // not deployed yet
        }
        let mut leaves: Vec<(Nibbles, Vec<u8>)> = Vec::new();
        for (key, (after, before)) in keys.iter().zip(post.storage_proof.iter().zip(&pre.storage_proof)) {
            let path = Nibbles::unpack(keccak256(key));
            let zero_leaf_before = before.value.is_zero()
                && verify_proof(pre.storage_hash, path, Some(alloy_rlp::encode(U256::ZERO)), &before.proof).is_ok();
            if !after.value.is_zero() || zero_leaf_before {
                leaves.push((path, alloy_rlp::encode(after.value)));
            }
        }
        leaves.sort();
        let mut builder = HashBuilder::default();
        for (path, value) in &leaves {
            builder.add_leaf(*path, value);
        }
        let storage_root = builder.root();
        if storage_root != post.storage_hash {
            let account =
                TrieAccount { nonce: post.nonce, balance: post.balance, storage_root, code_hash: post.code_hash };
            updates.push((keccak256(address), alloy_rlp::encode(account)));
        }
    }
    if updates.is_empty() {
        return header.state_root;
    }
    let mut trie = PartialTrie::open(header.state_root, &pool).expect("open");
    for (key, leaf) in updates {
        trie.insert(key.as_slice(), leaf).expect("insert");
    }
    trie.root()
}

async fn send(provider: &DynProvider, tx: TransactionRequest) -> Option<Address> {
    let receipt = provider.send_transaction(tx).await.expect("send").get_receipt().await.expect("receipt");
    assert!(receipt.status(), "transaction {} reverted", receipt.transaction_hash);
    receipt.contract_address
}

async fn deploy(provider: &DynProvider, code: &[u8]) -> Address {
    send(provider, TransactionRequest::default().with_deploy_code(Bytes::copy_from_slice(code))).await.expect("address")
}

async fn store(provider: &DynProvider, to: Address, kv: &[(u64, u64)]) {
    send(provider, TransactionRequest::default().with_to(to).with_input(pairs(kv)).with_gas_limit(300_000)).await;
}

async fn transfer(provider: &DynProvider, to: Address, wei: u64) {
    send(provider, TransactionRequest::default().with_to(to).with_value(U256::from(wei))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn anvil_witnesses_execute_statelessly() {
    let anvil = Anvil::spawn(&["--hardfork", "prague"]).expect("anvil");
    let signer: PrivateKeySigner = DEV_KEY.parse().expect("key");
    let url = anvil.url.parse().expect("url");
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(url).erased();
    // anvil mines blocks in the same second with equal timestamps, which the STF (rightly)
    // refuses: make each block one second after its parent.
    provider
        .raw_request::<_, serde_json::Value>("anvil_setBlockTimestampInterval".into(), (1,))
        .await
        .expect("interval");
    let s = slots();

    transfer(&provider, Address::repeat_byte(0x11), 1_000).await; // block 1 (not checkable)
    let s1 = deploy(&provider, &MULTI_STORE).await;
    let s2 = deploy(&provider, &MULTI_STORE).await;
    let s3 = deploy(&provider, &MULTI_STORE).await;
    store(&provider, s1, &[(s.a, 1), (s.b, 2), (s.c, 3)]).await;
    store(&provider, s2, &[(s.a, 1), (s.d, 2), (s.e, 3)]).await;
    store(&provider, s3, &[(s.a, 1), (s.b, 2)]).await;
    store(&provider, s1, &[(s.a, 0)]).await; // root branch collapses into a branch
    store(&provider, s2, &[(s.a, 0)]).await; // ... into an extension
    store(&provider, s3, &[(s.a, 0)]).await; // ... into a leaf
    store(&provider, s1, &[(s.b, 0)]).await; // a leaf merges up through an extension
    store(&provider, s3, &[(s.b, 0)]).await; // the storage trie empties
    store(&provider, s2, &[(s.d, 0), (s.e, 0), (7, 7)]).await; // two deletes and an insert at once
    store(&provider, s1, &[(s.c, 9), (s.c, 0), (s.c, 5)]).await; // deleted and rewritten in one tx
    store(&provider, s3, &[(s.e, 0)]).await; // a zero written over zero: no change
    let bh = deploy(&provider, &BLOCKHASH_STORE).await;
    let blockhash_block = provider.get_block_number().await.expect("number") + 1;
    store(&provider, bh, &[]).await; // reads the hash of the block 5 back
    transfer(&provider, Address::repeat_byte(0x22), 5_000).await;
    let head = provider.get_block_number().await.expect("head");
    let known = BTreeMap::from([
        (s1, vec![s.a, s.b, s.c]),
        (s2, vec![s.a, s.d, s.e, 7]),
        (s3, vec![s.a, s.b, s.e]),
        (bh, vec![0]),
    ]);

    let chain = phat_devkit::l2_chain_config(31337);
    let (mut total_ms, mut total_bytes) = (0u128, 0usize);
    let mut non_canonical = Vec::new();
    for number in 2..=head {
        let t = Instant::now();
        let file = fetch_witness(&anvil.url, number, &chain).await.unwrap_or_else(|e| panic!("witness {number}: {e}"));
        let ms = t.elapsed().as_millis();
        let w = &file.witness;
        let bytes: usize = w.state.iter().chain(&w.codes).chain(&w.keys).chain(&w.headers).map(|b| b.len()).sum();
        (total_ms, total_bytes) = (total_ms + ms, total_bytes + bytes);

        let rpc = provider.get_block_by_number(number.into()).await.expect("rpc").expect("block");
        let input = file.input(&chain).expect("block RLP decodes");
        assert_eq!(input.block.header.hash_slow(), rpc.header.hash, "block {number}");
        assert_eq!(file.chain_id, 31337);
        let parent = decode_exact::<Header>(&w.headers[0]).expect("parent header");
        assert_eq!(parent.hash_slow(), rpc.header.parent_hash, "block {number}");
        assert!(w.state.iter().any(|n| keccak256(n) == parent.state_root), "block {number}: no root node");
        if number == blockhash_block {
            assert!(w.headers.len() >= 5, "block {number}: BLOCKHASH needs 5 ancestors");
        } else {
            assert_eq!(w.headers.len(), 1, "block {number}: only the parent is needed");
        }

        let reference = reference_root(&provider, number, &known).await;
        let anvil_canonical = reference == rpc.header.state_root;
        match phat_prover_core::execute(&chain, &input) {
            Ok(outcome) => {
                assert!(anvil_canonical, "block {number}: anvil's root is not canonical, yet the STF matched it");
                assert_eq!(outcome.post_state_root, rpc.header.state_root, "block {number}");
                assert_eq!(outcome.block_hash, rpc.header.hash);
            }
            // Everything up to the post-state root was checked: nothing was missing from the witness.
            Err(StfError::StateRoot { header, computed }) if !anvil_canonical => {
                assert_eq!(header, rpc.header.state_root);
                assert_eq!(computed, reference, "block {number}: not the canonical root");
                non_canonical.push(number);
            }
            Err(e) => panic!("block {number}: {e}"),
        }
        eprintln!(
            "block {number:>3}: {} txs, witness {:>3} nodes {:>2} codes {:>2} keys {:>3} headers = {bytes:>6} B, {ms:>4} ms{}",
            input.block.body.transactions.len(),
            w.state.len(),
            w.codes.len(),
            w.keys.len(),
            w.headers.len(),
            if anvil_canonical { "" } else { " (anvil root not canonical)" },
        );
    }
    // The zeroing blocks: a, a, a, b, b (s1, s2, s3, s1, s3), d+e, and the zero-over-zero write.
    assert_eq!(non_canonical.len(), 7, "{non_canonical:?}");
    let blocks = (head - 1) as u128;
    eprintln!(
        "{blocks} blocks: {} ms and {} B per witness on average",
        total_ms / blocks,
        total_bytes / blocks as usize
    );
}

#[tokio::test]
async fn unreachable_rpc_is_an_rpc_error() {
    let chain = phat_devkit::l2_chain_config(31337);
    match fetch_witness("http://127.0.0.1:1", 2, &chain).await {
        Err(FetchError::Call { method: "eth_chainId", message }) => assert!(!message.is_empty()),
        other => panic!("expected an RPC error, got {other:?}"),
    }
    assert!(matches!(fetch_witness("not a url", 2, &chain).await, Err(FetchError::Url(_))));
}
