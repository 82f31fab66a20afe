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

.PHONY: devnet test setup lint wasm build evm-build test-rust ethtest vectors-check test-evm contracts test-contracts

devnet: setup build evm-build
	$(CARGO_TARGET_DIR)/release/phat-devnet

test: setup lint wasm build evm-build test-rust ethtest vectors-check test-evm contracts test-contracts
	@echo "all checks passed"

# Toolchain pieces and npm tools (Foundry, solc-js, OpenZeppelin), pinned by package-lock.json.
setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
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

# The Phat contracts as the pink runtime loads them: wasm32 with core/alloc rebuilt for the MVP
# feature set, imported memory (4 MiB max), then phat-contract-bundle (entry-point exports only,
# unreachable float vtable slots stubbed, wasm-opt -Oz, MVP validation, 2 MiB limit) writes
# $(CARGO_TARGET_DIR)/bundles/NAME.{wasm,contract} and prints the sizes.
CONTRACTS_TARGET := $(CARGO_TARGET_DIR)/contracts
contracts: setup build
	cd phat-prover/contract && $(CARGO) fmt --check && CARGO_TARGET_DIR=$(CONTRACTS_TARGET) $(CARGO) clippy --release --locked -- -D warnings
	cd phat-prover/contract && RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CONTRACTS_TARGET) \
		CARGO_ENCODED_RUSTFLAGS=$$'-Clink-arg=-zstack-size=65536\x1f-Clink-arg=--import-memory\x1f-Clink-arg=--max-memory=4194304\x1f-Ctarget-cpu=mvp' \
		$(CARGO) build --release --locked --target wasm32-unknown-unknown -Zbuild-std=core,alloc --no-default-features --features dlmalloc,host-keccak
	cd phat-prover/contract && CARGO_TARGET_DIR=$(CONTRACTS_TARGET) $(CARGO) run -q --release --locked --features metadata \
		--bin phat-prover-contract-metadata > $(CONTRACTS_TARGET)/phat_prover.metadata.json
	$(CARGO_TARGET_DIR)/release/phat-contract-bundle --name phat_prover --version 0.1.0 \
		--wasm $(CONTRACTS_TARGET)/wasm32-unknown-unknown/release/phat_prover_contract.wasm \
		--metadata $(CONTRACTS_TARGET)/phat_prover.metadata.json \
		--out-dir $(CARGO_TARGET_DIR)/bundles --wasm-opt $(CURDIR)/node_modules/.bin/wasm-opt

# The contract's release wasm in the real pink runtime (pink-drink, in its own crate: ~800 crates),
# on real Ethereum test blocks: a multisig wallet, a 30 M-gas block, CREATE-heavy and 200 M-gas ones.
BLOCK_SETS := wallet:bcWalletTest/wallet2outOf3txs2.json besu:bcEIP1559/besuBaseFeeBug.json \
	create:bcStateTests/testOpcode_f0.json random:bcRandomBlockhashTest/randomStatetest101BC.json
test-contracts: contracts
	@for s in $(BLOCK_SETS); do \
		$(PROVER) bundle --ethtest $(FIXTURES)/ethereum-tests/BlockchainTests/ValidBlocks/$${s#*:} \
			--out $(CARGO_TARGET_DIR)/block-bundles/$${s%%:*} || exit 1; done
	cd phat-prover/drink-tests && $(CARGO) fmt --check
	cd phat-prover/drink-tests && PHAT_CONTRACT_WASM=$(CARGO_TARGET_DIR)/bundles/phat_prover.wasm \
		PHAT_BLOCK_BUNDLES=$(CARGO_TARGET_DIR)/block-bundles PHAT_BLOCK_SETS=wallet,besu,create,random \
		CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/drink $(CARGO) test --release --locked -- --nocapture --test-threads 1
