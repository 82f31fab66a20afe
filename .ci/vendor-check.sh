#!/usr/bin/env bash
# vendor/ink_env must be crates.io's ink_env 4.3.0 with exactly the changes PATCH.md describes:
# the upstream crate (checked against its sha256) is unpacked and diffed against the vendored copy,
# and that diff must be the committed vendor/ink_env.diff, line for line. Any other change — a
# second edited constant, an added file — fails the check.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sha=584e73bc0982f6f1a067bb63ebc75262f6dc54ed2a17060efa73eaba84dc9308
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/ink_env-4.3.0.crate 2>/dev/null | head -1 || true)
if [[ -z $crate ]]; then
	crate=$work/ink_env-4.3.0.crate
	curl -sSfL -o "$crate" https://static.crates.io/crates/ink_env/ink_env-4.3.0.crate
fi
echo "$sha  $crate" | sha256sum -c --quiet -
tar xzf "$crate" -C "$work"
# Paths relative to the two roots, so the expected diff does not depend on where things are.
(cd "$work" && diff -r ink_env-4.3.0 "$repo/vendor/ink_env" | sed "s|$repo/||") >"$work/actual.diff" || true
if ! diff -u "$repo/vendor/ink_env.diff" "$work/actual.diff"; then
	echo "vendor-check: vendor/ink_env differs from ink_env 4.3.0 by more (or less) than vendor/ink_env.diff" >&2
	exit 1
fi
echo "vendor-check: vendor/ink_env = ink_env 4.3.0 + vendor/ink_env.diff"
