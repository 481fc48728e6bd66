// deploy/prometheus/alerts.yml is valid for Prometheus (`promtool check rules`) and each alert fires when it
// should and stays quiet on its near miss (`promtool test rules` over alerts.test.yml). promtool comes with
// Debian's `prometheus` package; without it these tests are skipped, saying so.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './composeFile.ts';

const PROMETHEUS_DIR = `${ROOT}deploy/prometheus/`;

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = hasPromtool() ? false : 'promtool not found: apt-get install prometheus (Debian) to run these';

/** promtool's exit code and output (stdout and stderr together). */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args, { cwd: PROMETHEUS_DIR });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('alert rules', { skip }, () => {
  test('promtool check rules accepts alerts.yml and finds the five alerts', async () => {
    const { code, output } = await promtool('check', 'rules', 'alerts.yml');
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS: 5 rules found/);
  });

  test('promtool test rules passes every case of alerts.test.yml', async () => {
    const { code, output } = await promtool('test', 'rules', 'alerts.test.yml');
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS/);
  });
});
