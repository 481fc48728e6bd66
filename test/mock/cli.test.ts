import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { binDir, runBin } from '../helpers/cli.ts';

describe('avt mock', () => {
  test('serves on the port it logs, answers GET /stats, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      `${binDir}avt`,
      [
        ...['mock', '--port', '0', '--latency-ms', '50', '--faults', '429=0.1', '--seed', '3'],
        ...['--sample-seed', '4', '--sampling', 'fixed'],
      ],
      {
        env: { ...process.env, LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, 'exit');
    try {
      type Listening = { event?: string; url: string; port: number; sample_seed: number; sampling: string };
      let listening: Listening | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as Listening;
        if (entry.event === 'mock:listening') {
          listening = entry;
          break;
        }
      }
      assert.ok(listening, `no mock:listening line; stderr: ${stderr}`);
      assert.match(listening.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const stats = (await (await fetch(`${listening.url}/stats`)).json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(stats).sort(), [
        'chatgpt',
        'claude',
        'copilot',
        'gemini',
        'google',
        'llm',
        'perplexity',
      ]);
      const start = await fetch(`${listening.url}/gemini/app`);
      assert.equal(start.status, 200);
      assert.match(await start.text(), /rich-textarea/);
      assert.deepEqual([listening.sample_seed, listening.sampling], [4, 'fixed']);
      const ask = async () =>
        (
          await fetch(`${listening.url}/claude/api/answer`, {
            method: 'POST',
            body: JSON.stringify({ prompt: 'best CRM for a bakery' }),
          })
        ).text();
      assert.equal(await ask(), await ask(), '--sampling fixed: the same answer twice');
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal, stderr }, { code: 0, signal: null, stderr: '' });
  });

  test('a bad --faults, --brands or --sampling value prints one line and exits 2', async () => {
    const faults = await runBin('avt', ['mock', '--port', '0', '--faults', '429=0.8,hang=0.5']);
    assert.equal(faults.code, 2);
    assert.deepEqual(faults.stderr.trim().split('\n'), [
      'avt: --faults rates add up to 1.300; they must add up to at most 1',
    ]);
    const brands = await runBin('avt', ['mock', '--port', '0', '--brands', '/nonexistent/brands.json']);
    assert.equal(brands.code, 2);
    assert.match(
      brands.stderr.trim(),
      /^avt: cannot read the brands file \/nonexistent\/brands\.json: ENOENT/,
    );
    const sampling = await runBin('avt', ['mock', '--port', '0', '--sampling', 'random']);
    assert.equal(sampling.code, 2);
    assert.match(sampling.stderr.trim(), /^[^\n]*'random' is invalid\. Allowed choices are varied, fixed\.$/);
  });
});
