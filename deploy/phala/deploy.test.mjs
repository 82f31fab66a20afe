// `node --test deploy/phala/`: the deploy script's checks on the real release bundles
// ($PHAT_BUNDLES, built by `make bundles`); the upload itself needs a pink endpoint, of which none
// remains public (see deploy.mjs).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { compactAddLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { keccakAsHex } from '@polkadot/util-crypto';

import { DeployError, readBundle, readConfig } from './deploy.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const bundles = process.env.PHAT_BUNDLES;
const prover = join(bundles ?? '', 'phat_prover.contract');
const example = join(here, 'prover.example.json');
// The CLI that prints a chain config's canonical encoding: $PHAT_PROVER, or the release build beside
// the bundles ($CARGO_TARGET_DIR/{bundles,release}).
const cli = process.env.PHAT_PROVER ?? (bundles && join(bundles, '..', 'release', 'phat-prover'));
const scratch = mkdtempSync(join(tmpdir(), 'phat-deploy-'));
const write = (name, value) => {
  const path = join(scratch, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

test('a dry run checks the real bundle and encodes configure through its ABI', { skip: !bundles }, () => {
  const out = execFileSync(process.execPath, [join(here, 'deploy.mjs'), '--bundle', prover, '--config', example, '--dry-run']);
  const plan = JSON.parse(out);
  const bundle = JSON.parse(readFileSync(prover, 'utf8'));
  assert.equal(plan.codeHash, bundle.source.hash);
  assert.equal(plan.wasmBytes, hexToU8a(bundle.source.wasm).length);
  // The call data starts with configure's selector from the metadata and decodes, with the
  // contract's ABI (which takes it length-prefixed), to the config's values.
  const selector = bundle.spec.messages.find((m) => m.label === 'configure').selector;
  assert.ok(plan.configure.startsWith(selector), `${plan.configure} starts with ${selector}`);
  const { abi } = readBundle(prover);
  const decoded = abi.decodeMessage(compactAddLength(hexToU8a(plan.configure)));
  assert.equal(decoded.message.identifier, 'configure');
  const config = decoded.args[0].toJSON();
  const expected = JSON.parse(readFileSync(example, 'utf8'));
  assert.deepEqual(config.l2Rpcs, expected.l2_rpcs);
  assert.equal(config.chainConfig, expected.chain_config.toLowerCase());
  assert.equal(config.l2ChainId, undefined, 'the chain id comes from the chain config');
  assert.equal(config.l1ChainId, expected.l1_chain_id);
  assert.equal(config.l1Verifier, expected.l1_verifier);
  assert.equal(config.l1MultiProof, expected.l1_multi_proof);
  assert.deepEqual(decoded.args[0].relayCallers.map((a) => a.toHex()), expected.relay_callers);
  assert.equal(BigInt(config.relayMaxFeePerGas).toString(), expected.relay_max_fee_per_gas);
  // The plan names the chain and the hash every proof will commit to.
  assert.equal(plan.chainId, BigInt(`0x${expected.chain_config.slice(2 + 64, 2 + 128)}`).toString());
  assert.equal(plan.chainConfigHash, keccakAsHex(hexToU8a(expected.chain_config), 256));
});

test('the example config carries the canonical encoding of deploy/l2-chain.json', { skip: !(cli && existsSync(cli)) && `no phat-prover CLI (${cli})` }, () => {
  const printed = JSON.parse(execFileSync(cli, ['chain-config', join(here, '..', 'l2-chain.json')]));
  const config = readConfig(example);
  assert.equal(config.chain_config, printed.canonical);
  assert.deepEqual(config.chain, { chainId: String(printed.chainId), hash: printed.hash });
});

test('a bundle whose wasm does not match its hash, or another contract, is refused', { skip: !bundles }, () => {
  const bundle = JSON.parse(readFileSync(prover, 'utf8'));
  const tampered = { ...bundle, source: { ...bundle.source, wasm: `${bundle.source.wasm.slice(0, -2)}00` } };
  assert.throws(() => readBundle(write('tampered.contract', tampered)), (e) => e instanceof DeployError && /hashes to/.test(e.message));
  const registry = join(bundles, 'phat_registry.contract');
  assert.throws(() => readBundle(registry), (e) => e instanceof DeployError && /not a phat-prover bundle/.test(e.message));
  assert.throws(() => readBundle(write('garbage.contract', '{')), DeployError);
});

test('bad configurations are refused with the reason', () => {
  const good = JSON.parse(readFileSync(example, 'utf8'));
  const canonical = hexToU8a(good.chain_config);
  const edited = (edit) => {
    const bytes = canonical.slice();
    edit(bytes);
    return u8aToHex(bytes);
  };
  const { chain_config: _, ...withoutChainConfig } = good;
  const cases = [
    [{ ...withoutChainConfig, l2_chain_id: 167001 }, /l2_chain_id is gone/],
    [withoutChainConfig, /chain_config must be the canonical encoding/],
    [{ ...good, chain_config: 167001 }, /chain_config/],
    [{ ...good, chain_config: 'not hex' }, /chain_config/],
    [{ ...good, chain_config: good.chain_config.slice(0, -2) }, /got 1215 bytes/],
    [{ ...good, chain_config: edited((b) => { b[0] ^= 1; }) }, /tag/],
    [{ ...good, chain_config: edited((b) => b.fill(0, 32, 64)) }, /chain id 0/],
    [{ ...good, chain_config: edited((b) => { b[2 * 32] = 1; }) }, /word 2 is out of range/],
    [{ ...good, chain_config: edited((b) => { b[37 * 32 + 31] = 2; }) }, /not a bool/],
    [{ ...good, l2_rpcs: ['ws://127.0.0.1:8546'] }, /l2_rpcs/],
    [{ ...good, l2_rpcs: [] }, /l2_rpcs/],
    [{ ...good, l1_chain_id: 0 }, /chain ids/],
    [{ ...good, l1_verifier: `0x${'00'.repeat(20)}` }, /l1_verifier/],
    [{ ...good, l1_verifier: '0x1234' }, /l1_verifier/],
    [{ ...good, l1_multi_proof: `0x${'00'.repeat(20)}` }, /l1_multi_proof is zero/],
    [{ ...good, extra: 1 }, /unknown field/],
  ];
  for (const [config, reason] of cases) {
    assert.throws(() => readConfig(write('config.json', config)), (e) => e instanceof DeployError && reason.test(e.message));
  }
  const relayOff = readConfig(write('norelay.json', { ...good, l1_rpcs: undefined, l1_multi_proof: undefined }));
  assert.deepEqual(relayOff.l1_rpcs, []);
});

test('without --dry-run it needs an endpoint and an account, and says so', { skip: !bundles }, () => {
  const run = spawnSync(process.execPath, [join(here, 'deploy.mjs'), '--bundle', prover, '--config', example]);
  assert.equal(run.status, 2);
  assert.match(run.stderr.toString(), /--endpoint is required/);
  const noAccount = spawnSync(process.execPath, [join(here, 'deploy.mjs'), '--bundle', prover, '--config', example, '--endpoint', 'ws://127.0.0.1:9'], {
    env: { ...process.env, PHALA_SURI: '' },
  });
  assert.equal(noAccount.status, 2);
  assert.match(noAccount.stderr.toString(), /PHALA_SURI/);
});
