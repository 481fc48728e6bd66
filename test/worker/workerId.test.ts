import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerIdFromHostname, workerIdFromReverseDns } from '../../src/worker/workerId.ts';

test("a StatefulSet pod's hostname gives its ordinal; a container id gives none", () => {
  assert.equal(workerIdFromHostname('worker-chatgpt-2'), 2);
  assert.equal(workerIdFromHostname('3f2c9a1b7d4e'), undefined);
});

test("a Compose replica's name, as the container DNS gives it back for its address, gives its number", async () => {
  const names: Record<string, string[]> = {
    '172.18.0.7': ['avt-worker-chatgpt-3.avt_default'],
    '10.0.0.9': ['unrelated.example'],
  };
  const reverse = async (address: string) => names[address] ?? [];
  assert.equal(await workerIdFromReverseDns(['10.0.0.9', '172.18.0.7'], reverse), 3);
  assert.equal(await workerIdFromReverseDns(['10.0.0.9'], reverse), undefined);
});

test('a failing or hanging lookup gives no id, within the timeout', async () => {
  const failing = async () => {
    throw Object.assign(new Error('getHostByAddr ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  assert.equal(await workerIdFromReverseDns(['172.18.0.7'], failing), undefined);
  const started = Date.now();
  const hanging = () => new Promise<string[]>(() => {});
  assert.equal(await workerIdFromReverseDns(['172.18.0.7'], hanging, 200), undefined);
  assert.ok(Date.now() - started < 2_000);
});

test('a real lookup of the loopback address (localhost) names no replica', async () => {
  assert.equal(await workerIdFromReverseDns(['127.0.0.1']), undefined);
});
