#!/usr/bin/env bash
# The fuzz targets of phat-prover/fuzz (cargo fuzz, libFuzzer): the decoders and the STF.
#
#   .ci/fuzz.sh [ci]   build the targets once; for each target replay its committed corpus
#                      (phat-prover/fuzz/corpus/<target>), then fuzz it FUZZ_SECONDS (default 30, at
#                      most 60) from there. Any crash, panic, timeout (10 s) or blow-up (2 GiB) fails.
#                      New inputs go to a temporary folder: the tree is left as it was.
#   .ci/fuzz.sh long   the long run, kept out of CI: each target FUZZ_SECONDS (default 600), new inputs
#                      kept in phat-prover/fuzz/corpus-work/<target> (not committed).
#   .ci/fuzz.sh cmin   minimise corpus/<target> together with corpus-work/<target> into corpus/<target>
#                      (libFuzzer's -merge=1 over edges; large inputs kept only for CMIN_EDGES new
#                      edges, default 3 for the two bundle targets: see below).
#
# FUZZ_TARGETS selects targets (default: all five). Targets build with cargo fuzz on the stable
# toolchain (RUSTC_BOOTSTRAP=1 for its nightly flags), release with debug assertions and overflow
# checks, no sanitizer (safe Rust: panics, overflows, hangs and allocations are what is looked for;
# ASan would halve the executions on 2 cores), into FUZZ_TARGET_DIR (default: `fuzz` under the
# Makefile's CARGO_TARGET_DIR, so repeated runs are incremental and never wait on the main build's
# lock). Crash inputs are written to FUZZ_ARTIFACTS (default phat-prover/fuzz/artifacts/<target>/).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-ci}
FUZZ_DIR=phat-prover/fuzz
CARGO_FUZZ_VERSION=0.13.2
TARGETS=${FUZZ_TARGETS:-witness_bundle proof_bytes rpc_answer trie_open stf_eest}
FUZZ_TARGET_DIR=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$HOME/.cache/phat-sgx-prover/target}/fuzz}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-$FUZZ_DIR/artifacts}
LIMITS=(-rss_limit_mb=2048 -timeout=10)

case $MODE in
ci)
	FUZZ_SECONDS=${FUZZ_SECONDS:-30}
	if ((FUZZ_SECONDS > 60)); then
		echo "fuzz: FUZZ_SECONDS=$FUZZ_SECONDS: at most 60 s a target in CI (make fuzz is the long run)" >&2
		exit 2
	fi
	;;
long) FUZZ_SECONDS=${FUZZ_SECONDS:-600} ;;
cmin) ;;
*)
	echo "usage: $0 [ci|long|cmin]" >&2
	exit 2
	;;
esac

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
	cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# The fuzz crate's lock file is committed: refuse to build if it is stale (cargo fuzz has no --locked).
cargo metadata --locked --format-version 1 --manifest-path "$FUZZ_DIR/Cargo.toml" >/dev/null

start=$SECONDS
build() { RUSTC_BOOTSTRAP=1 cargo fuzz build --fuzz-dir "$FUZZ_DIR" --sanitizer none --target-dir "$FUZZ_TARGET_DIR" "$@"; }
if [ -z "${FUZZ_TARGETS:-}" ]; then
	build # all targets, in one cargo build
else
	for target in $TARGETS; do build "$target"; done
fi
echo "fuzz: built in $((SECONDS - start)) s"
BIN=$FUZZ_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release

# Runs target $1 with libFuzzer arguments $2...; on failure, shows the crash input and fails.
run() {
	local target=$1
	shift
	local dict=()
	[ -f "$FUZZ_DIR/$target.dict" ] && dict=(-dict="$FUZZ_DIR/$target.dict")
	mkdir -p "$FUZZ_ARTIFACTS/$target"
	if ! "$BIN/$target" "${LIMITS[@]}" "${dict[@]}" -artifact_prefix="$FUZZ_ARTIFACTS/$target/" \
		-print_final_stats=1 "$@" 2>"$log"; then
		tail -n 60 "$log" >&2
		for crash in "$FUZZ_ARTIFACTS/$target"/*; do
			[ -f "$crash" ] || continue
			echo "fuzz: $target: $crash ($(wc -c <"$crash") bytes), first bytes:" >&2
			od -An -tx1 -N256 "$crash" >&2
		done
		echo "fuzz: $target FAILED (reproduce: $BIN/$target $FUZZ_ARTIFACTS/$target/<file>)" >&2
		exit 1
	fi
	# libFuzzer's closing status line and stats.
	grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|Done |stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' \
		"$log" | tail -n 6 | sed "s/^/fuzz: $target: /"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log

for target in $TARGETS; do
	corpus=$FUZZ_DIR/corpus/$target
	mkdir -p "$corpus"
	case $MODE in
	ci)
		t0=$(date +%s%N)
		run "$target" -runs=0 "$corpus"
		echo "fuzz: $target: replayed $(find "$corpus" -type f | wc -l) inputs in $((($(date +%s%N) - t0) / 1000000)) ms"
		mkdir -p "$work/$target"
		run "$target" -max_total_time="$FUZZ_SECONDS" "$work/$target" "$corpus"
		;;
	long)
		mkdir -p "$FUZZ_DIR/corpus-work/$target"
		run "$target" -max_total_time="$FUZZ_SECONDS" "$FUZZ_DIR/corpus-work/$target" "$corpus"
		;;
	cmin)
		# libFuzzer's merge over edges (no hit counters) goes through the inputs smallest first and
		# notes the edges each adds; kept: every input up to 2 KiB that adds one, and larger inputs
		# (whole blocks with their witness, ~14 KB) only when they add at least CMIN_EDGES (the
		# corpora stay a few MB; the edges so given up are reported below as the replay's cov).
		mkdir -p "$FUZZ_DIR/corpus-work/$target" "$work/$target" "$work/$target.min"
		run "$target" -merge=1 -use_counters=0 -merge_control_file="$work/$target.cf" \
			"$work/$target" "$corpus" "$FUZZ_DIR/corpus-work/$target"
		case $target in witness_bundle | stf_eest) min=${CMIN_EDGES:-3} ;; *) min=1 ;; esac
		awk -v min="$min" 'NR == 1 { n = $1; next } NR == 2 { next } NR <= n + 2 { file[NR - 3] = $0; next }
			$1 == "STARTED" { size[$2] = $3 }
			$1 == "COV" && NF > 2 && (size[$2] <= 2048 || NF - 2 >= min) { print file[$2] }' "$work/$target.cf" |
			while read -r input; do cp "$input" "$work/$target.min/"; done
		rm -rf "$corpus"
		mv "$work/$target.min" "$corpus"
		run "$target" -runs=0 "$corpus"
		echo "fuzz: $target: corpus minimised to $(find "$corpus" -type f | wc -l) inputs," \
			"$(cat "$corpus"/* | wc -c) bytes"
		;;
	esac
done
echo "fuzz: $MODE done in $((SECONDS - start)) s"
