//! The evaluation of Phala's SideVM as the route for heavy blocks: the same blocks through the
//! native STF and `phat-sidevm-stf` (the core STF as a SideVM program, wasm32-wasip1) in
//! `sidevm-host-runtime` — the engine pink-drink embeds (wasmer 3, singlepass compiler with gas
//! metering, 64 MiB). The contract's figures for the same blocks come from
//! `the_same_blocks_natively_and_in_the_runtime` in the same run. The program is given the chain
//! config (canonical encoding) with the bundle, as a contract would pass its configured one.
//! Asserted: the SideVM computes what the native STF computes under that chain config, for every
//! block, and refuses a config of another chain. Printed: the times and ratios (not asserted).

use std::time::{Duration, Instant};

use phat_prover_core::{ChainConfig, WitnessBundle, execute};
use sidevm_host_runtime::{CacheOps, DynCacheOps, OcallError, OutgoingRequest, WasmEngine, WasmInstanceConfig};

use super::{blocks, env_path, other_chain, set_chain};

/// SideVM's memory limit: 1024 pages of 64 KiB.
const MAX_MEMORY_PAGES: u32 = 1024;

struct NoCache;
impl CacheOps for NoCache {
    fn get(&self, _: &[u8], _: &[u8]) -> Result<Option<Vec<u8>>, OcallError> {
        Ok(None)
    }
    fn set(&self, _: &[u8], _: &[u8], _: &[u8]) -> Result<(), OcallError> {
        Ok(())
    }
    fn set_expiration(&self, _: &[u8], _: &[u8], _: u64) -> Result<(), OcallError> {
        Ok(())
    }
    fn remove(&self, _: &[u8], _: &[u8]) -> Result<Option<Vec<u8>>, OcallError> {
        Ok(None)
    }
}

/// Runs the SideVM program on `bundle` under `chain`; its output and the wall time (compilation
/// excluded).
async fn in_sidevm(
    module: &sidevm_host_runtime::WasmModule,
    chain: &ChainConfig,
    bundle: &[u8],
) -> (Vec<u8>, Duration) {
    let (event_tx, mut event_rx) = tokio::sync::mpsc::channel(4);
    let config = WasmInstanceConfig {
        max_memory_pages: MAX_MEMORY_PAGES,
        id: [0; 32],
        gas_per_breath: u64::MAX / 4,
        cache_ops: &NoCache as DynCacheOps,
        scheduler: None,
        weight: 0,
        event_tx,
        log_handler: None,
    };
    let start = Instant::now();
    let args = vec!["phat-sidevm-stf".into(), hex::encode(chain.to_canonical()), hex::encode(bundle)];
    let (run, _env) = module.run(args, config).expect("instance");
    let ended = run.await;
    let elapsed = start.elapsed();
    let mut output = None;
    while let Ok((_, event)) = event_rx.try_recv() {
        if let OutgoingRequest::Output(bytes) = event {
            output = Some(bytes);
        }
    }
    (output.unwrap_or_else(|| panic!("no output (the program ended with {ended:?})")), elapsed)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_blocks_natively_and_in_sidevm() {
    let code = std::fs::read(env_path("PHAT_SIDEVM_WASM")).expect("sidevm wasm");
    let engine = WasmEngine::new();
    let start = Instant::now();
    let module = engine.compile(&code).expect("the SideVM engine compiles the program");
    println!("sidevm: {} bytes compiled in {:.2} s (singlepass)", code.len(), start.elapsed().as_secs_f64());

    let sets = std::env::var("PHAT_BLOCK_SETS").unwrap_or_else(|_| "wallet".into());
    println!("set | block | gas | native ms | sidevm ms | sidevm/native");
    for set in sets.split(',') {
        let blocks = blocks(set);
        let chain = set_chain(&blocks);
        for (bundle, _) in &blocks {
            let start = Instant::now();
            let input = WitnessBundle::from_bytes(bundle).expect("bundle").into_input(&chain).expect("input");
            let outcome = execute(&chain, &input).expect("native");
            let native = start.elapsed().as_secs_f64();

            let (output, sidevm) = in_sidevm(&module, &chain, bundle).await;
            let expected = [
                outcome.post_state_root.as_slice(),
                outcome.block_hash.as_slice(),
                &outcome.gas_used.to_be_bytes(),
                chain.hash().as_slice(),
            ]
            .concat();
            assert_eq!(output, expected, "{}", String::from_utf8_lossy(&output));
            let sidevm = sidevm.as_secs_f64();
            println!(
                "{set} | {} | {} | {:.2} | {:.1} | {:.1}x",
                outcome.number,
                outcome.gas_used,
                native * 1e3,
                sidevm * 1e3,
                sidevm / native
            );
        }
        // The rules are the caller's: a chain config of another chain refuses the bundle.
        let (output, _) = in_sidevm(&module, &other_chain(&chain), &blocks[0].0).await;
        let output = String::from_utf8_lossy(&output);
        let (ours, theirs) = (chain.chain_id(), chain.chain_id() + 1);
        assert!(output.starts_with("error: bundle:"), "{output}");
        assert!(output.contains(&format!("chain {ours}")) && output.contains(&format!("chain {theirs}")), "{output}");
    }
}
