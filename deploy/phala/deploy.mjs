#!/usr/bin/env node
// Deploys the phat-prover Phat contract to a Phala pink cluster with @phala/sdk 0.5.10: uploads the
// `.contract` bundle's code, instantiates it (`new`), sends `configure` with the given config, and
// prints the contract id, the prover's Ethereum address (to register on L1) and its relay address
// (to fund with L1 gas).
//
// The config's `chain_config` is the L2's chain config in its canonical encoding (hex), which
// `phat-prover chain-config deploy/l2-chain.json` prints as `canonical`: the chain id and the rules
// the contract executes blocks under. Every proof commits to its hash (`chainConfigHash` in the
// plan), which L1's MultiProofVerifier must expect for the rollup.
//
// The Phala parachain was sunset on 2025-11-20: no public endpoint remains. This targets any pink
// runtime endpoint you run (a Phala node with pRuntime workers and a cluster). `--dry-run` checks
// everything that does not need one: the bundle (its wasm hashes to its code hash), the metadata
// (the messages this script calls), the config (types, URLs, addresses) and its SCALE encoding
// against the contract's ABI — and prints what it would send.
//
//   node deploy/phala/deploy.mjs --bundle phat_prover.contract --config prover.json --dry-run
//   PHALA_SURI='//Alice' node deploy/phala/deploy.mjs --endpoint wss://… --bundle … --config …

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Abi } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, keccakAsHex } from '@polkadot/util-crypto';

/** A refusal: one line on stderr, exit code 2, nothing sent. */
export class DeployError extends Error {}

const MESSAGES = ['configure', 'prover_address', 'relay_address', 'key_epoch'];

/** Reads and checks a `.contract` bundle: its wasm must hash to its code hash. */
export function readBundle(path) {
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DeployError(`${path}: not a .contract bundle (${e.message})`);
  }
  const wasm = bundle?.source?.wasm;
  const hash = bundle?.source?.hash;
  if (typeof wasm !== 'string' || typeof hash !== 'string') {
    throw new DeployError(`${path}: no source.wasm / source.hash`);
  }
  const computed = blake2AsHex(hexToU8a(wasm), 256);
  if (computed !== hash) {
    throw new DeployError(`${path}: the wasm hashes to ${computed}, the bundle says ${hash}`);
  }
  const abi = new Abi(bundle);
  const names = abi.messages.map((m) => m.identifier);
  const missing = MESSAGES.filter((m) => !names.includes(m));
  if (missing.length > 0 || !abi.constructors.some((c) => c.identifier === 'new')) {
    throw new DeployError(`${path}: not a phat-prover bundle (missing ${[...missing, 'new'].join(', ')})`);
  }
  return { bundle, abi, wasm: hexToU8a(wasm), codeHash: hash };
}

const isUrl = (u) => typeof u === 'string' && /^https?:\/\/\S+$/.test(u);
const isAddress = (a) => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a);
const isChainId = (n) => Number.isSafeInteger(n) && n > 0;
const ZERO = `0x${'00'.repeat(20)}`;

/** `keccak256("phat-sgx-prover.chain-config.v1")`: the first word of a canonical chain config. */
export const CHAIN_CONFIG_TAG = '0x9cd90ac750cbd830389a3b3be99faf42583d5bc77ba4a04b21356a9997c32da9';
/** A canonical chain config: 38 ABI words (tag, chainId, 9 fork times, unsupportedFrom, 8 × 3 blob
 * schedule values, depositContract, devnetAbsentSystemContracts). */
const CHAIN_CONFIG_WORDS = 38;

/**
 * Reads a chain config's canonical encoding (hex): the layout is checked here (length, tag, every
 * word in its type's range, a non-zero chain id); the rules themselves (fork order, blob schedules)
 * are checked by the contract's `configure`, which refuses what does not decode. Returns its chain
 * id and hash.
 */
export function readChainConfig(hex) {
  const want = 'chain_config must be the canonical encoding `phat-prover chain-config FILE` prints (0x…, 1216 bytes)';
  if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(want);
  const bytes = hexToU8a(hex);
  if (bytes.length !== CHAIN_CONFIG_WORDS * 32) throw new Error(`${want}: got ${bytes.length} bytes`);
  const word = (i) => bytes.subarray(i * 32, (i + 1) * 32);
  const high = (i, n) => word(i).subarray(0, 32 - n).every((b) => b === 0);
  if (u8aToHex(word(0)) !== CHAIN_CONFIG_TAG) throw new Error(`${want}: not a chain config (tag)`);
  // chainId and every uint64 (fork times, unsupportedFrom, blob schedules) fit 8 bytes, the
  // deposit contract 20, the bool is 0 or 1.
  for (let i = 1; i <= 35; i += 1) {
    if (!high(i, 8)) throw new Error(`${want}: word ${i} is out of range`);
  }
  if (!high(36, 20)) throw new Error(`${want}: the deposit contract is out of range`);
  if (!high(37, 1) || word(37)[31] > 1) throw new Error(`${want}: the devnet flag is not a bool`);
  const chainId = BigInt(u8aToHex(word(1)));
  if (chainId === 0n) throw new Error(`${want}: chain id 0`);
  return { chainId: chainId.toString(), hash: keccakAsHex(bytes, 256) };
}

/** Checks a prover config (the contract's `Config`) as `configure` would, and more strictly. */
export function readConfig(path) {
  let c;
  try {
    c = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DeployError(`${path}: not JSON (${e.message})`);
  }
  const fail = (why) => {
    throw new DeployError(`${path}: ${why}`);
  };
  const known = [
    'l2_rpcs',
    'chain_config',
    'l1_chain_id',
    'l1_verifier',
    'l1_rpcs',
    'l1_multi_proof',
    'relay_callers',
    'relay_max_fee_per_gas',
  ];
  const unknown = Object.keys(c).filter((k) => !known.includes(k));
  if ('l2_chain_id' in c) {
    fail('l2_chain_id is gone: the chain id comes from chain_config (`phat-prover chain-config FILE` prints it)');
  }
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}`);
  if (!Array.isArray(c.l2_rpcs) || c.l2_rpcs.length === 0 || !c.l2_rpcs.every(isUrl)) {
    fail('l2_rpcs must be a non-empty list of http(s) URLs');
  }
  let chain;
  try {
    chain = readChainConfig(c.chain_config);
  } catch (e) {
    fail(e.message);
  }
  if (!isChainId(c.l1_chain_id)) fail('chain ids must be positive integers');
  if (!isAddress(c.l1_verifier) || c.l1_verifier === ZERO) fail('l1_verifier must be a non-zero 0x address');
  const l1Rpcs = c.l1_rpcs ?? [];
  if (!Array.isArray(l1Rpcs) || !l1Rpcs.every(isUrl)) fail('l1_rpcs must be a list of http(s) URLs');
  const multiProof = c.l1_multi_proof ?? ZERO;
  if (!isAddress(multiProof)) fail('l1_multi_proof must be a 0x address');
  if (l1Rpcs.length > 0 && multiProof === ZERO) fail('l1_rpcs set for relaying, but l1_multi_proof is zero');
  // Who may call `relay` (it spends the relay key's L1 gas): 32-byte account ids, hex.
  const relayCallers = c.relay_callers ?? [];
  if (!Array.isArray(relayCallers) || !relayCallers.every((a) => /^0x[0-9a-fA-F]{64}$/.test(a))) {
    fail('relay_callers must be a list of 32-byte account ids (0x…)');
  }
  // The highest fee cap (wei per gas) a relay transaction may carry: a decimal string.
  const maxFee = c.relay_max_fee_per_gas ?? '0';
  if (typeof maxFee !== 'string' || !/^[0-9]+$/.test(maxFee) || BigInt(maxFee) >= 1n << 128n) {
    fail('relay_max_fee_per_gas must be a decimal string of wei (u128)');
  }
  if (l1Rpcs.length > 0 && (relayCallers.length === 0 || BigInt(maxFee) === 0n)) {
    fail('l1_rpcs set for relaying: give relay_callers and a non-zero relay_max_fee_per_gas');
  }
  return {
    ...c,
    l1_rpcs: l1Rpcs,
    l1_multi_proof: multiProof,
    relay_callers: relayCallers,
    relay_max_fee_per_gas: maxFee,
    chain,
  };
}

/** The SCALE call data of `configure(config)` (selector ‖ arguments), through the contract's own ABI. */
export function configureCallData(abi, config) {
  const message = abi.findMessage('configure');
  const value = {
    l2Rpcs: config.l2_rpcs,
    // As hex: @polkadot's `Bytes` takes a Uint8Array as already length-prefixed (SCALE), a hex
    // string as the raw bytes.
    chainConfig: config.chain_config,
    l1ChainId: config.l1_chain_id,
    l1Verifier: hexToU8a(config.l1_verifier),
    l1Rpcs: config.l1_rpcs,
    l1MultiProof: hexToU8a(config.l1_multi_proof),
    relayCallers: config.relay_callers,
    relayMaxFeePerGas: config.relay_max_fee_per_gas,
  };
  // `toU8a` prefixes the call data with its compact length.
  return u8aToHex(compactStripLength(message.toU8a([value]))[1]);
}

async function deploy({ endpoint, suri, bundle, config }) {
  const { getClient, signCertificate, signAndSend, PinkCodePromise } = await import('@phala/sdk');
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519' }).addFromUri(suri);
  const client = await getClient({ transport: endpoint });
  try {
    const cert = await signCertificate({ pair });
    console.error(`uploading ${bundle.codeHash} to cluster ${client.clusterId} …`);
    const code = new PinkCodePromise(client.api, client, bundle.bundle, bundle.wasm);
    const uploaded = await signAndSend(code.upload(), pair);
    await uploaded.waitFinalized(pair, cert);
    console.error('instantiating …');
    const instantiated = await uploaded.blueprint.send.new({ pair, cert, address: pair.address });
    await instantiated.waitFinalized();
    const contract = instantiated.contract;
    console.error(`configuring ${instantiated.contractId} …`);
    const configured = await contract.send.configure({ pair, cert, address: pair.address }, {
      l2Rpcs: config.l2_rpcs,
      chainConfig: config.chain_config,
      l1ChainId: config.l1_chain_id,
      l1Verifier: config.l1_verifier,
      l1Rpcs: config.l1_rpcs,
      l1MultiProof: config.l1_multi_proof,
      relayCallers: config.relay_callers,
      relayMaxFeePerGas: config.relay_max_fee_per_gas,
    });
    await configured.waitFinalized();
    const query = async (name) => {
      const { result, output } = await contract.query[name](pair.address, { cert });
      if (!result.isOk) throw new DeployError(`${name}: ${result.toString()}`);
      return output.toJSON();
    };
    return {
      contractId: instantiated.contractId,
      codeHash: bundle.codeHash,
      chainId: config.chain.chainId,
      chainConfigHash: config.chain.hash,
      proverAddress: await query('proverAddress'),
      relayAddress: await query('relayAddress'),
      keyEpoch: await query('keyEpoch'),
    };
  } finally {
    await client.api.disconnect();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      bundle: { type: 'string' },
      config: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.bundle || !values.config) {
    throw new DeployError('usage: deploy.mjs --bundle phat_prover.contract --config prover.json (--dry-run | --endpoint wss://…)');
  }
  const bundle = readBundle(values.bundle);
  const config = readConfig(values.config);
  const plan = {
    codeHash: bundle.codeHash,
    wasmBytes: bundle.wasm.length,
    constructor: 'new',
    chainId: config.chain.chainId,
    chainConfigHash: config.chain.hash,
    configure: configureCallData(bundle.abi, config),
  };
  if (values['dry-run']) {
    console.log(JSON.stringify({ dryRun: true, ...plan }, null, 2));
    return;
  }
  if (!values.endpoint) throw new DeployError('--endpoint is required without --dry-run');
  const suri = process.env.PHALA_SURI;
  if (!suri) throw new DeployError('PHALA_SURI (the deploying account) is not set');
  console.log(JSON.stringify(await deploy({ endpoint: values.endpoint, suri, bundle, config }), null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(e instanceof DeployError ? 2 : 1);
  });
}
