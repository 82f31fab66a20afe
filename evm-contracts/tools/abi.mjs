#!/usr/bin/env node
// Writes the ABI of each named contract from forge's build output, one pretty-printed JSON array
// per contract: the single source the Rust bindings (`phat-l1`, alloy `sol!`) are generated from.
//   node tools/abi.mjs <forge out dir> <abi dir> <Source.sol:Contract>...
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [outDir, abiDir, ...contracts] = process.argv.slice(2);
if (!outDir || !abiDir || contracts.length === 0) {
  console.error("usage: abi.mjs <forge out dir> <abi dir> <Source.sol:Contract>...");
  process.exit(2);
}
mkdirSync(abiDir, { recursive: true });
for (const spec of contracts) {
  const [source, name] = spec.split(":");
  const artifact = JSON.parse(readFileSync(join(outDir, source, `${name}.json`), "utf8"));
  if (!Array.isArray(artifact.abi)) {
    console.error(`${spec}: no ABI in ${join(outDir, source, name)}.json`);
    process.exit(1);
  }
  writeFileSync(join(abiDir, `${name}.json`), JSON.stringify(artifact.abi, null, 2) + "\n");
}
