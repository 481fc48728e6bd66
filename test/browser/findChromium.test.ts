import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundledPackage, cacheDir } from '../../src/browser/bundledChromium.ts';
import { BrowserNotFoundError, chromiumVersion, findChromium } from '../../src/browser/findChromium.ts';

const launchBundled = fileURLToPath(new URL('../fixtures/launchBundled.ts', import.meta.url));
const { version } = bundledPackage();
let dir: string;
let systemA: string;
let systemB: string;
let notExecutable: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'avt-find-chromium-'));
  // Candidates the test controls: whether this machine has a system Chromium does not matter.
  [systemA, systemB, notExecutable] = ['system-a', 'system-b', 'not-executable'].map((name) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\necho fake\n');
    return path;
  }) as [string, string, string];
  chmodSync(systemA, 0o755);
  chmodSync(systemB, 0o755);
  chmodSync(notExecutable, 0o644);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const freshCache = (name: string) => join(dir, name);

describe('finding Chromium: CHROMIUM_PATH, then the system, then the bundled one', () => {
  test('CHROMIUM_PATH that is not executable: the error names it and says how to install one', async () => {
    await assert.rejects(findChromium({ env: { CHROMIUM_PATH: notExecutable } }), (error: unknown) => {
      assert.ok(error instanceof BrowserNotFoundError);
      assert.match(error.message, /CHROMIUM_PATH=.*not-executable \(not an executable file\)/);
      assert.match(error.message, /apt-get install -y chromium/);
      return true;
    });
  });

  test('CHROMIUM_PATH comes before a system Chromium', async () => {
    const found = await findChromium({ env: { CHROMIUM_PATH: systemB }, systemPaths: [systemA] });
    assert.deepEqual(found, { executablePath: systemB, origin: 'CHROMIUM_PATH' });
  });

  test('the first executable system candidate, in order, comes before the bundled one', async () => {
    const found = await findChromium({
      env: { AVT_CACHE_DIR: freshCache('unused') },
      systemPaths: [join(dir, 'missing'), notExecutable, systemA, systemB],
    });
    assert.deepEqual(found, { executablePath: systemA, origin: 'system' });
    assert.equal(existsSync(freshCache('unused')), false, 'nothing was unpacked');
  });

  test('with no system Chromium, the bundled one is unpacked into the cache directory and runs', async () => {
    const cache = freshCache('cache-fallback');
    const found = await findChromium({
      env: { AVT_CACHE_DIR: cache },
      systemPaths: [join(dir, 'missing'), notExecutable],
    });
    assert.deepEqual(found, {
      executablePath: join(cache, `chromium-${version}`, 'chromium'),
      origin: 'bundled',
    });
    assert.match(await chromiumVersion(found.executablePath), /^Chromium \d+\./);
    assert.deepEqual(readdirSync(cache), [`chromium-${version}`], 'no lock or temporary directory is left');
  });

  test('CHROMIUM_PATH=bundled takes the bundled one even where a system Chromium exists', async () => {
    const cache = freshCache('cache-forced');
    const found = await findChromium({
      env: { CHROMIUM_PATH: 'bundled', AVT_CACHE_DIR: cache },
      systemPaths: [systemA],
    });
    assert.equal(found.origin, 'bundled');
    assert.equal(found.executablePath, join(cache, `chromium-${version}`, 'chromium'));
  });

  test('a lock left by a process that died does not stop the unpack', async () => {
    const cache = freshCache('cache-stale-lock');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    mkdirSync(cache);
    writeFileSync(join(cache, `chromium-${version}.lock`), `${hostname()} ${dead.pid}\n`);
    const found = await findChromium({ env: { CHROMIUM_PATH: 'bundled', AVT_CACHE_DIR: cache } });
    assert.ok(existsSync(found.executablePath));
    assert.deepEqual(readdirSync(cache), [`chromium-${version}`]);
  });

  test('a cache directory that cannot be made: the error names it and AVT_CACHE_DIR', async () => {
    const underAFile = join(systemA, 'cache');
    await assert.rejects(
      findChromium({ env: { AVT_CACHE_DIR: underAFile }, systemPaths: [] }),
      (error: unknown) => {
        assert.ok(error instanceof BrowserNotFoundError);
        assert.match(error.message, /could not unpack into .*system-a\/cache/);
        assert.match(error.message, /AVT_CACHE_DIR/);
        return true;
      },
    );
  });

  test("the version line without Debian's 'built on' suffix", async () => {
    const debian = join(dir, 'debian-chromium');
    writeFileSync(
      debian,
      '#!/bin/sh\necho "Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)"\n',
    );
    chmodSync(debian, 0o755);
    assert.equal(await chromiumVersion(debian), 'Chromium 156.0.8078.114');
  });

  test('the cache directory: AVT_CACHE_DIR, else $XDG_CACHE_HOME/avt, else ~/.cache/avt', () => {
    assert.equal(cacheDir({ AVT_CACHE_DIR: '/a', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/a');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/avt');
    assert.equal(cacheDir({ HOME: '/h' }), '/h/.cache/avt');
  });

  test('8 processes resolving and launching the bundled Chromium at once into an empty cache all succeed', async () => {
    const cache = freshCache('cache-concurrent');
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => {
        const child = spawn(process.execPath, [launchBundled], {
          env: { ...process.env, AVT_CACHE_DIR: cache, CHROMIUM_PATH: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
        });
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
          child.on('close', (code) => resolve({ code, stdout, stderr })),
        );
      }),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const found = runs.map((run) => JSON.parse(run.stdout) as { executablePath: string; origin: string });
    for (const one of found) {
      assert.equal(one.origin, 'bundled');
      assert.equal(one.executablePath, join(cache, `chromium-${version}`, 'chromium'));
    }
    assert.deepEqual(readdirSync(cache), [`chromium-${version}`], 'one directory; no lock or temporary left');
  });
});
