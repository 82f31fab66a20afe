//! `phat-contract-bundle`: a linked ink! contract module and its metadata → `NAME.wasm` (stripped,
//! `wasm-opt -Oz`, MVP-checked) and `NAME.contract` (the JSON bundle cargo-contract writes and the
//! pink runtime / `@phala/sdk` load). Prints the sizes as JSON.
//!
//! Why by hand: `cargo-contract` runs its own build and post-processing, and has no step for what
//! this module needs before pink loads it — binding alloy's `native_keccak256` hook to the host's
//! `seal0.hash_keccak_256` and stubbing the float vtable slots the runtime would refuse. What stays
//! is small: export filtering, the import rename, validation (wasmparser), and the bundle JSON,
//! whose layout follows cargo-contract's.

use std::{path::PathBuf, process::Command};

use blake2::{Blake2b, Digest, digest::consts::U32};
use clap::Parser;
use serde_json::{Map, Value, json};

use phat_contract_bundler::{error::BundleError, wasm};

#[derive(Parser)]
#[command(
    name = "phat-contract-bundle",
    version,
    about = "Build a .contract bundle from a linked wasm and ink! metadata"
)]
struct Args {
    /// The module as linked by rustc (wasm32, build-std, MVP CPU).
    #[arg(long)]
    wasm: PathBuf,
    /// The ink! metadata JSON (`__ink_generate_metadata`).
    #[arg(long)]
    metadata: PathBuf,
    /// Contract name (file names and `contract.name`).
    #[arg(long)]
    name: String,
    /// Contract version.
    #[arg(long)]
    version: String,
    /// Where NAME.wasm and NAME.contract go.
    #[arg(long)]
    out_dir: PathBuf,
    /// The wasm-opt binary.
    #[arg(long, default_value = "wasm-opt")]
    wasm_opt: PathBuf,
}

/// Largest contract code the runtime accepts.
const MAX_CODE_BYTES: usize = 2 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, BundleError> {
    std::fs::read(path).map_err(|e| BundleError::io(path.display(), e))
}

fn run(args: Args) -> Result<(), BundleError> {
    let linked = read(&args.wasm)?;
    let (stripped, stubbed) = wasm::defloat(&wasm::strip(&linked)?)?;
    std::fs::create_dir_all(&args.out_dir).map_err(|e| BundleError::io(args.out_dir.display(), e))?;
    let stripped_path = args.out_dir.join(format!("{}.stripped.wasm", args.name));
    let wasm_path = args.out_dir.join(format!("{}.wasm", args.name));
    std::fs::write(&stripped_path, &stripped).map_err(|e| BundleError::io(stripped_path.display(), e))?;
    let status = Command::new(&args.wasm_opt)
        .args(["-Oz", "--mvp-features", "--zero-filled-memory"])
        .arg(&stripped_path)
        .arg("-o")
        .arg(&wasm_path)
        .status()
        .map_err(|e| BundleError::WasmOpt(format!("{}: {e}", args.wasm_opt.display())))?;
    if !status.success() {
        return Err(BundleError::WasmOpt(format!("exited with {status}")));
    }
    let code = read(&wasm_path)?;
    wasm::check_mvp(&code)?;
    if code.len() > MAX_CODE_BYTES {
        return Err(BundleError::Runtime(format!("code is {} bytes, over the 2 MiB limit", code.len())));
    }

    let metadata: Value = serde_json::from_slice(&read(&args.metadata)?)
        .map_err(|e| BundleError::Metadata(format!("{}: {e}", args.metadata.display())))?;
    let Value::Object(metadata) = metadata else {
        return Err(BundleError::Metadata("not a JSON object".into()));
    };
    let hash = Blake2b::<U32>::digest(&code);
    let mut bundle = Map::new();
    bundle.insert(
        "source".into(),
        json!({
            "hash": format!("0x{}", hex::encode(hash)),
            "language": "ink! 4.3.0",
            "compiler": "rustc",
            "wasm": format!("0x{}", hex::encode(&code)),
            "build_info": { "build_mode": "Release", "wasm_opt_settings": { "optimization_passes": "Z" } },
        }),
    );
    bundle.insert(
        "contract".into(),
        json!({ "name": args.name, "version": args.version, "authors": ["Phat SGX-Prover"] }),
    );
    bundle.extend(metadata);
    let bundle_path = args.out_dir.join(format!("{}.contract", args.name));
    let text = serde_json::to_string(&Value::Object(bundle)).map_err(|e| BundleError::Metadata(e.to_string()))?;
    std::fs::write(&bundle_path, text).map_err(|e| BundleError::io(bundle_path.display(), e))?;
    let _ = std::fs::remove_file(&stripped_path);
    println!(
        "{}",
        json!({
            "name": args.name,
            "linked_bytes": linked.len(),
            "stripped_bytes": stripped.len(),
            "float_stubs": stubbed,
            "wasm_bytes": code.len(),
            "limit_bytes": MAX_CODE_BYTES,
            "code_hash": format!("0x{}", hex::encode(hash)),
            "bundle": bundle_path,
        })
    );
    Ok(())
}
