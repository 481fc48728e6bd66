import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerLatency } from '../../src/mock/latency.ts';
import { resolveOptions } from '../../src/mock/options.ts';

test('latency jitter spreads answers over L × (1 ± jitter), the same for the same prompt and seed', () => {
  const config = { latencyMs: 20_000, latencyJitter: 0.5, seed: 5 };
  const latencies = Array.from({ length: 400 }, (_, i) => answerLatency(config, `prompt ${i}`));
  assert.ok(latencies.every((ms) => ms >= 10_000 && ms <= 30_000));
  assert.ok(Math.min(...latencies) < 11_000 && Math.max(...latencies) > 29_000, 'the whole range is used');
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  assert.ok(Math.abs(mean - 20_000) < 1_000, `mean ${mean} stays near L`);
  assert.equal(answerLatency(config, 'prompt 7'), latencies[7]);
  assert.notEqual(answerLatency({ ...config, seed: 6 }, 'prompt 7'), latencies[7]);
  assert.equal(answerLatency({ ...config, latencyJitter: 0 }, 'prompt 7'), 20_000);
});

test('a jitter outside 0..1 is refused', () => {
  assert.throws(() => resolveOptions({ latencyJitter: 1.5 }), /latencyJitter must be from 0 to 1, got 1.5/);
});
