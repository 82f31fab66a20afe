# Phat SGX-Prover — the two commands of the README, and the steps they are made of.
#   make devnet   the main job: L1 + L2, contracts, provers, relayer, proof feed (Ctrl-C stops)
#   make test     every test (what CI runs)
# Both install what they need, idempotently. Build output goes to CARGO_TARGET_DIR, by default a
# persistent folder outside the clone so repeated runs reuse it.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/phat-sgx-prover/target
FIXTURES ?= ../shared/fixtures
CARGO ?= cargo
PROVER := $(CARGO_TARGET_DIR)/release/phat-prover

.PHONY: devnet test setup lint wasm build evm-build test-rust ethtest vectors-check test-evm

devnet: setup build evm-build
	$(CARGO_TARGET_DIR)/release/phat-devnet

test: setup lint wasm build evm-build test-rust ethtest vectors-check test-evm
	@echo "all checks passed"

# Toolchain pieces and npm tools (Foundry, solc-js, OpenZeppelin), pinned by package-lock.json.
setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.package-lock.json.src; fi

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The core must build as no_std for the ink! contract's target.
wasm:
	$(CARGO) build -p phat-prover-core --no-default-features --target wasm32-unknown-unknown --release --locked

build:
	$(CARGO) build --workspace --release --locked

# The L1 contracts, compiled once before the Rust tests that deploy them (devnet, e2e).
evm-build: setup
	cd evm-contracts && $(FORGE) build

test-rust:
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" $(CARGO) test --workspace --release --locked

ethtest: build
	$(PROVER) ethtest $(FIXTURES)/ethereum-tests/BlockchainTests

# The committed cross-language vectors must be what the Rust code generates now.
vectors-check: build
	$(PROVER) vectors --out $(CARGO_TARGET_DIR)/tee-proof-vectors.json
	diff -u evm-contracts/test/vectors/tee-proof-vectors.json $(CARGO_TARGET_DIR)/tee-proof-vectors.json

# L1 contracts: formatting, every unit/fuzz/invariant test (the Rust vectors included), and the
# committed gas snapshot (fuzz seed fixed in foundry.toml, so the check is reproducible).
FORGE := $(CURDIR)/node_modules/.bin/forge
test-evm: setup
	cd evm-contracts && $(FORGE) fmt --check && $(FORGE) snapshot --check
