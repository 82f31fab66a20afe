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
# Foundry's platform binaries: the npm wrappers in node_modules/.bin exit 0 whatever the tool returns.
FOUNDRY_PLATFORM := $(if $(filter aarch64 arm64,$(shell uname -m)),linux-arm64,linux-amd64)
FORGE := $(CURDIR)/node_modules/@foundry-rs/forge-$(FOUNDRY_PLATFORM)/bin/forge

.PHONY: vendor-check devnet test setup lint wasm build evm-build abi abi-check forge-fails gas-snapshot test-rust ethtest vectors-check test-evm bundles contracts cluster sidevm test-contracts fuzz-ci fuzz

# The provers are phat-prover contracts in a local pink cluster (phat-cluster), with phat-registry.
CLUSTER := $(CARGO_TARGET_DIR)/drink/release/phat-cluster
devnet: setup build evm-build cluster
	$(CARGO_TARGET_DIR)/release/phat-devnet --pink-cluster $(CLUSTER) --bundles $(CARGO_TARGET_DIR)/bundles

test: setup vendor-check lint build evm-build abi-check forge-fails test-rust ethtest fuzz-ci vectors-check test-evm contracts test-contracts
	@echo "all checks passed"

# Toolchain pieces and npm tools (Foundry, solc-js, OpenZeppelin), pinned by package-lock.json.
setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
	@if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.package-lock.json.src; fi

# Clippy runs as the compiler of the workspace's own crates while `make test` builds them
# (RUSTC_WORKSPACE_WRAPPER, what `cargo clippy` itself sets; CLIPPY_ARGS carries its `-D warnings`):
# the dependencies are compiled once, for the tests, instead of once more for a separate check.
# The lint therefore covers every target `make test` builds: libraries, binaries, tests, benches.
# The same for the pink cluster's crate. (`make devnet` builds without either.)
CLIPPY_DRIVER := $(shell rustc --print sysroot)/bin/clippy-driver
test: LINTED = RUSTC_WORKSPACE_WRAPPER=$(CLIPPY_DRIVER) CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# The test build compiles every target (dev-dependencies included) with one feature set, which the
# binaries, the tests and the e2e run then share.
test: ALL_TARGETS := --all-targets
lint:
	$(CARGO) fmt --all -- --check
	@test -x $(CLIPPY_DRIVER) || { echo "clippy-driver not found at $(CLIPPY_DRIVER)"; exit 1; }
	$(if $(LINTED),,$(CARGO) clippy --workspace --all-targets --release --locked -- -D warnings)

# The no_std crates the ink! contract uses must build for its target.
wasm:
	$(CARGO) build -p phat-prover-core -p phat-rpc -p phat-l1 --no-default-features --target wasm32-unknown-unknown --release --locked

build:
	$(LINTED) $(CARGO) build --workspace --release --locked $(ALL_TARGETS)

# The L1 contracts, compiled once before the Rust tests that deploy them (devnet, e2e).
evm-build: setup
	cd evm-contracts && $(FORGE) build

test-rust:
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" $(LINTED) $(CARGO) test --workspace --release --locked

# Conformance: ethereum/tests (Cancun), the execution spec tests (Paris … Osaka, BPO forks and
# transitions; pre-merge networks reported as skipped), the zkEVM ecosystem's stateless inputs and
# real OP Stack blocks (the OP STF).
ethtest: build
	$(PROVER) ethtest $(FIXTURES)/ethereum-tests/BlockchainTests
	$(PROVER) ethtest $(FIXTURES)/eest/blockchain_tests
	$(PROVER) stateless $(FIXTURES)/stateless
	$(PROVER) optest $(FIXTURES)/op

# The committed cross-language vectors must be what the Rust code generates now.
vectors-check: build
	$(PROVER) vectors --out $(CARGO_TARGET_DIR)/tee-proof-vectors.json
	diff -u evm-contracts/test/vectors/tee-proof-vectors.json $(CARGO_TARGET_DIR)/tee-proof-vectors.json

# L1 contracts: formatting, the fuzz and invariant tests, then every other test (the Rust vectors
# included) against the committed gas snapshot. The snapshot holds the deterministic rows only: a
# fuzz row's mean and median gas change with the corpus forge keeps in cache/. EVM_DIR lets
# .ci/forge-fails.sh run this target on a broken copy.
EVM_DIR ?= evm-contracts
GAS_ROWS := --no-match-test '^(testFuzz|invariant)'
test-evm: setup
	cd $(EVM_DIR) && $(FORGE) fmt --check
	cd $(EVM_DIR) && $(FORGE) test --match-test '^(testFuzz|invariant)'
	cd $(EVM_DIR) && $(FORGE) snapshot --check $(GAS_ROWS)

# After a deliberate gas change: rewrite the committed snapshot.
gas-snapshot: setup
	cd evm-contracts && $(FORGE) snapshot $(GAS_ROWS)

# The Rust bindings of the L1 contracts (phat-l1's `sol!` input), generated from forge's ABI
# output; abi-check fails when the Solidity changed and bindings/L1.sol did not follow.
L1_CONTRACTS := TeeVerifier.sol:TeeVerifier MultiProofVerifier.sol:MultiProofVerifier RollupSettlement.sol:RollupSettlement \
	ProverRegistry.sol:ProverRegistry QuorumAttestationVerifier.sol:QuorumAttestationVerifier \
	ZkAttestationVerifier.sol:ZkAttestationVerifier ProverRewards.sol:ProverRewards RollupZkVerifierStandIn.sol:RollupZkVerifierStandIn \
	OpOutputOracle.sol:OpOutputOracle
abi: evm-build
	cd evm-contracts && node tools/bindings.mjs out bindings/L1.sol $(L1_CONTRACTS)
abi-check: evm-build
	mkdir -p $(CARGO_TARGET_DIR)
	cd evm-contracts && node tools/bindings.mjs out $(CARGO_TARGET_DIR)/L1.sol $(L1_CONTRACTS)
	diff -u evm-contracts/bindings/L1.sol $(CARGO_TARGET_DIR)/L1.sol || \
		{ echo "evm-contracts/bindings/L1.sol is stale: run make abi"; exit 1; }

# vendor/ink_env is crates.io's ink_env 4.3.0 plus exactly vendor/ink_env.diff (see its PATCH.md).
vendor-check:
	.ci/vendor-check.sh

# The check that the checks can fail: test-evm on copies with a failing test, a misformatted
# file and a stale snapshot row must each exit non-zero (and pass on an unchanged copy).
forge-fails: evm-build
	.ci/forge-fails.sh

# The Phat contracts as the pink runtime loads them: wasm32 with core/alloc rebuilt for the MVP
# feature set, imported memory (4 MiB max), then phat-contract-bundle (entry-point exports only,
# unreachable float vtable slots stubbed, wasm-opt -Oz, MVP validation, 2 MiB limit) writes
# $(CARGO_TARGET_DIR)/bundles/NAME.{wasm,contract} and prints the sizes. Both contracts share one
# target folder and one set of dependency features (dlmalloc, host-keccak).
CONTRACTS_TARGET := $(CARGO_TARGET_DIR)/contracts
# Local paths (clone, cargo home, sysroot, target folder) are remapped out of the wasm, where panic
# locations would carry them. (The code hash still differs between checkout locations: the data
# layout does; cargo's trim-paths would be the next thing to try.)
CARGO_HOME ?= $(HOME)/.cargo
WASM_RUSTFLAGS := $$'-Clink-arg=-zstack-size=65536\x1f-Clink-arg=--import-memory\x1f-Clink-arg=--max-memory=4194304\x1f-Ctarget-cpu=mvp\x1f--remap-path-prefix=$(CURDIR)=/phat-sgx-prover\x1f--remap-path-prefix=$(CARGO_HOME)=/cargo\x1f--remap-path-prefix=$(shell rustc --print sysroot)=/rust\x1f--remap-path-prefix=$(CARGO_TARGET_DIR)=/target'
# The ink! metadata comes from a host build of the contract (its messages' types): the dev profile,
# which compiles it (the STF's dependencies included) in about half the time of release, for the
# same output. Under `make test` that build and the registry's tests also run clippy on the two
# contracts, as for the workspace.
# The registry builds the prover contract as a dependency (ink-as-dependency) into the same folder,
# and a cdylib crate's files carry no hash: the two builds' outputs of phat-prover-contract share one
# file, which cargo may then take as fresh for the other build (a registry linked against the
# prover's `call`/`deploy`: duplicate symbols). Each build therefore starts by forgetting that
# crate's fingerprints, so it is compiled (that crate only) for the build at hand. The same holds
# for the host (dev-profile) folder, where the registry's tests build the prover as a dependency and
# the prover's metadata binary needs it whole (else: undefined `__ink_generate_metadata`).
CONTRACT_WASM_DIR := $(CONTRACTS_TARGET)/wasm32-unknown-unknown/release
CONTRACT_HOST_DIR := $(CONTRACTS_TARGET)/debug
# $(call phat-bundle,crate dir,bundle name,wasm file stem,metadata binary)
define phat-bundle
	rm -rf $(CONTRACT_WASM_DIR)/.fingerprint/phat-prover-contract-* $(CONTRACT_WASM_DIR)/deps/libphat_prover_contract.rlib \
		$(CONTRACT_HOST_DIR)/.fingerprint/phat-prover-contract-* $(CONTRACT_HOST_DIR)/deps/libphat_prover_contract.rlib
	cd $(1) && RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CONTRACTS_TARGET) CARGO_ENCODED_RUSTFLAGS=$(WASM_RUSTFLAGS) \
		$(CARGO) build --release --locked --target wasm32-unknown-unknown -Zbuild-std=core,alloc --no-default-features --features dlmalloc,host-keccak
	cd $(1) && CARGO_TARGET_DIR=$(CONTRACTS_TARGET) $(LINTED) $(CARGO) run -q --locked --features metadata \
		--bin $(4) > $(CONTRACTS_TARGET)/$(2).metadata.json
	$(CARGO_TARGET_DIR)/release/phat-contract-bundle --name $(2) --version 0.1.0 \
		--wasm $(CONTRACTS_TARGET)/wasm32-unknown-unknown/release/$(3).wasm \
		--metadata $(CONTRACTS_TARGET)/$(2).metadata.json \
		--out-dir $(CARGO_TARGET_DIR)/bundles --wasm-opt $(CURDIR)/node_modules/.bin/wasm-opt
endef
# Rebuilt only when a source they are made from changed (or the bundler did): make compares the
# stamp's time with every tracked or new file of these folders.
BUNDLE_INPUTS := $(shell git ls-files -co --exclude-standard -- phat-prover/contract phat-prover/core phat-prover/rpc \
	phat-prover/l1 phat-prover/contract-bundler phat-registry vendor Cargo.toml Cargo.lock Makefile)
BUNDLES_STAMP := $(CARGO_TARGET_DIR)/bundles/.built
bundles: setup build $(BUNDLES_STAMP)
$(BUNDLES_STAMP): $(BUNDLE_INPUTS)
	$(call phat-bundle,phat-prover/contract,phat_prover,phat_prover_contract,phat-prover-contract-metadata)
	$(call phat-bundle,phat-registry,phat_registry,phat_registry,phat-registry-metadata)
	touch $@

# The contracts' checks (after their bundles): formatting, clippy (outside `make test`, whose builds
# lint them), the registry's native tests.
contracts: bundles
	for c in phat-prover/contract phat-registry; do (cd $$c && $(CARGO) fmt --check) || exit 1; done
	$(if $(LINTED),,for c in phat-prover/contract phat-registry; do (cd $$c && \
		CARGO_TARGET_DIR=$(CONTRACTS_TARGET) $(CARGO) clippy --locked --all-targets -- -D warnings) || exit 1; done)
	cd phat-registry && CARGO_TARGET_DIR=$(CONTRACTS_TARGET) $(LINTED) $(CARGO) test --locked -q

# The local pink cluster (pink-drink in its own crate: ~800 crates, built once).
cluster: bundles
	cd phat-prover/pink-cluster && CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/drink $(LINTED) $(CARGO) build --release --locked $(ALL_TARGETS)

# The core STF as a SideVM program (wasm32-wasip1): the route evaluated for blocks too heavy for a
# contract query, run in the SideVM engine pink-drink embeds by the runtime tests.
SIDEVM_WASM := $(CARGO_TARGET_DIR)/sidevm/wasm32-wasip1/release/phat_sidevm_stf.wasm
sidevm: setup
	cd phat-prover/sidevm-stf && $(CARGO) fmt --check && \
		CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/sidevm $(CARGO) clippy --release --locked --target wasm32-wasip1 -- -D warnings && \
		CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/sidevm $(CARGO) build --release --locked --target wasm32-wasip1

# The contracts' release wasm in the real pink runtime (pink-drink, in its own crate: ~800 crates):
# the prover on real Ethereum test blocks (a multisig wallet, a 30 M-gas block, CREATE-heavy and
# 200 M-gas ones) and on heavy anvil blocks (keccak loops of 5–30 M gas, storage writes of 10 and
# 30 M gas: witness bundles up to 48 KB), and the registry's flow beside real prover instances.
BLOCK_SETS := wallet:bcWalletTest/wallet2outOf3txs2.json besu:bcEIP1559/besuBaseFeeBug.json \
	create:bcStateTests/testOpcode_f0.json random:bcRandomBlockhashTest/randomStatetest101BC.json
test-contracts: contracts cluster sidevm evm-build
	@for s in $(BLOCK_SETS); do \
		$(PROVER) bundle --ethtest $(FIXTURES)/ethereum-tests/BlockchainTests/ValidBlocks/$${s#*:} \
			--out $(CARGO_TARGET_DIR)/block-bundles/$${s%%:*} || exit 1; done
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" $(PROVER) bundle --heavy --out $(CARGO_TARGET_DIR)/block-bundles/heavy
	cd phat-prover/pink-cluster && $(CARGO) fmt --check
	cd phat-prover/pink-cluster && $(LINTED) PHAT_CONTRACT_WASM=$(CARGO_TARGET_DIR)/bundles/phat_prover.wasm PHAT_SIDEVM_WASM=$(SIDEVM_WASM) \
		PHAT_REGISTRY_WASM=$(CARGO_TARGET_DIR)/bundles/phat_registry.wasm \
		PHAT_BLOCK_BUNDLES=$(CARGO_TARGET_DIR)/block-bundles PHAT_BLOCK_SETS=wallet,besu,create,random,heavy \
		CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/drink $(CARGO) test --release --locked -- --nocapture --test-threads 1
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" PHAT_CLUSTER_BIN=$(CLUSTER) PHAT_BUNDLES=$(CARGO_TARGET_DIR)/bundles \
		$(LINTED) $(CARGO) test --workspace --release --locked --test e2e -- --ignored
	PHAT_BUNDLES=$(CARGO_TARGET_DIR)/bundles node --test deploy/phala/

# Fuzzing (phat-prover/fuzz: cargo fuzz, libFuzzer; .ci/fuzz.sh says how): the witness bundle, the
# TEE-proof bytes, the JSON-RPC answers, the partial trie and the STF on mutated test blocks.
# fuzz-ci: build the targets once, replay each target's committed corpus, then fuzz it FUZZ_SECONDS
# (default 30, at most 60); any crash fails. `make test` runs it with 10 s a target (its cold build,
# in its own target folder, is ≈ 2.5 min on 2 cores).
# fuzz: the long run, kept out of CI: each target FUZZ_SECONDS (default 600), new inputs kept in
# phat-prover/fuzz/corpus-work; `.ci/fuzz.sh cmin` then minimises them into the committed corpora.
FUZZ_SECONDS ?= 30
test: FUZZ_SECONDS = 10
fuzz-ci:
	FUZZ_SECONDS=$(FUZZ_SECONDS) .ci/fuzz.sh ci
# (600 s a target unless FUZZ_SECONDS is given on the command line or in the environment)
fuzz:
	FUZZ_SECONDS=$(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),600) .ci/fuzz.sh long
