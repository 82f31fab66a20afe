#!/usr/bin/env bash
# Proves that `make test-evm` fails when forge finds a problem: it runs the target on copies of
# evm-contracts with one failing test, one misformatted source and one stale gas-snapshot row, and
# expects a non-zero exit from each (and exit 0 from an unchanged copy, so a broken set-up cannot
# pass for a detected failure). One copy, compiled once (≈ 1 min: forge's cache does not follow a
# moved project); each case then changes one file and restores it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The copy sits where evm-contracts does relative to what foundry.toml reads (../node_modules,
# ../deploy).
ln -s "$repo/node_modules" "$work/node_modules"
ln -s "$repo/deploy" "$work/deploy"

cp -a "$repo/evm-contracts" "$work/evm-contracts"
# $1: a file of the copy; keeps it to put back with `restore`.
keep() { cp "$1" "$work/kept"; kept=$1; }
restore() { cp "$work/kept" "$kept"; }

run() { # $1: what the copy has; $2: expected outcome (pass|fail)
	local t0=$SECONDS
	local log="$work/$(echo "$1" | tr ' ' '-').log" status=0
	make -s -C "$repo" test-evm EVM_DIR="$work/evm-contracts" >"$log" 2>&1 || status=$?
	if [[ $2 == pass && $status -ne 0 ]]; then
		echo "forge-fails: an unchanged copy failed test-evm (exit $status):" >&2
		tail -20 "$log" >&2
		exit 1
	fi
	if [[ $2 == fail && $status -eq 0 ]]; then
		echo "forge-fails: test-evm passed on a copy with $1" >&2
		exit 1
	fi
	echo "forge-fails: $1 → test-evm exit $status (expected: $2, $((SECONDS - t0)) s)"
}

run "no change" pass

# A test file of its own (only forge-std to compile), with one test that fails.
cat >"$work/evm-contracts/test/ForgeFailsCheck.t.sol" <<'SOL'
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

contract ForgeFailsCheckTest is Test {
    function test_mustFail() public pure {
        assertEq(uint256(1), uint256(2));
    }
}
SOL
run "a failing test" fail
rm "$work/evm-contracts/test/ForgeFailsCheck.t.sol"

keep "$work/evm-contracts/src/TeeVerifier.sol"
printf '\ncontract   ForgeFailsMisformatted {}\n' >>"$kept"
run "a misformatted source" fail
restore

snap="$work/evm-contracts/.gas-snapshot"
keep "$snap"
sed -i '1s/(gas: [0-9]*)/(gas: 1)/' "$snap"
grep -q '(gas: 1)' "$snap"
run "a stale snapshot row" fail
restore
