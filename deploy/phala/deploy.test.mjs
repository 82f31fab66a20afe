// `node --test deploy/phala/`: the deploy script's checks on the real release bundles
// ($PHAT_BUNDLES, built by `make bundles`); the upload itself needs a pink endpoint, of which none
// remains public (see deploy.mjs).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { compactAddLength, hexToU8a } from '@polkadot/util';

import { DeployError, readBundle, readConfig } from './deploy.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const bundles = process.env.PHAT_BUNDLES;
const prover = join(bundles ?? '', 'phat_prover.contract');
const example = join(here, 'prover.example.json');
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
  assert.equal(config.l2ChainId, expected.l2_chain_id);
  assert.equal(config.l1Verifier, expected.l1_verifier);
  assert.equal(config.l1MultiProof, expected.l1_multi_proof);
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
  const cases = [
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
