//! Runs the `phat-prover` contract's release wasm (what `make contracts` bundles) in the pink
//! runtime in-process: see `tests/runtime.rs`. This crate only hosts those tests.
