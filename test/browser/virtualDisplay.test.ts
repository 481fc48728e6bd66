import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { descendantPids } from '../../src/browser/processTree.ts';
import { openDisplay, VirtualDisplayError } from '../../src/browser/virtualDisplay.ts';
import { waitFor } from '../helpers/db.ts';
import { alive, displaySocket } from '../helpers/processes.ts';

const noDisplay = { DISPLAY: '' };

/** Whether the display takes X clients: the first byte of the setup reply is 1 (success). */
function acceptsClients(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(displaySocket(name));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write(Buffer.from([0x6c, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
    socket.once('data', (reply: Buffer) => {
      socket.destroy();
      resolve(reply[0] === 1);
    });
  });
}

describe('virtual display', () => {
  test('Xvfbs started together get displays of their own that take clients; close() stops each and removes its socket', async () => {
    const displays = await Promise.all([1, 2, 3].map(() => openDisplay({ env: noDisplay })));
    try {
      assert.equal(new Set(displays.map((display) => display.name)).size, 3, 'three different displays');
      for (const display of displays) {
        assert.ok(display.pid !== undefined && alive(display.pid));
        assert.ok(existsSync(displaySocket(display.name)));
        assert.equal(await acceptsClients(display.name), true, display.name);
      }
    } finally {
      await Promise.all(displays.map((display) => display.close()));
    }
    for (const display of displays) {
      assert.equal(alive(display.pid as number), false, `Xvfb ${display.name} is gone`);
      assert.equal(
        existsSync(displaySocket(display.name)),
        false,
        `${displaySocket(display.name)} is removed`,
      );
    }
  });

  test('with DISPLAY set, that display is used and no Xvfb is started', async () => {
    const display = await openDisplay({ env: { DISPLAY: ':77' }, xvfbPath: '/nonexistent/Xvfb' });
    assert.equal(display.name, ':77');
    assert.equal(display.pid, undefined);
    assert.deepEqual(descendantPids(), []);
    await display.close();
  });

  test('a missing Xvfb is a VirtualDisplayError that says to install xvfb or set DISPLAY', async () => {
    const error = await openDisplay({ env: noDisplay, xvfbPath: '/nonexistent/Xvfb' }).then(
      () => assert.fail('opened a display without an Xvfb'),
      (error: unknown) => error,
    );
    assert.ok(error instanceof VirtualDisplayError, String(error));
    assert.equal(error.xvfbPath, '/nonexistent/Xvfb');
    assert.match(error.message, /Xvfb not found \(\/nonexistent\/Xvfb\)/);
    assert.match(error.message, /install xvfb \(apt-get install -y xvfb\) or set DISPLAY/);
  });

  test('an Xvfb that exits at start is a VirtualDisplayError naming how it exited, and nothing is left running', async () => {
    await assert.rejects(
      openDisplay({ env: noDisplay, xvfbPath: '/bin/false' }),
      (error: Error) =>
        error instanceof VirtualDisplayError &&
        /\/bin\/false\) exited \(code 1\) before its display was ready; install xvfb/.test(error.message),
    );
    assert.deepEqual(descendantPids(), []);
  });

  test('an Xvfb whose worker is killed with SIGKILL exits by itself and removes its socket', async () => {
    const module = fileURLToPath(new URL('../../src/browser/virtualDisplay.ts', import.meta.url));
    // A process that opens a display, prints it, and never closes it.
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openDisplay } = await import(${JSON.stringify(module)});
         const display = await openDisplay();
         console.log(JSON.stringify({ name: display.name, pid: display.pid }));
         setInterval(() => {}, 60_000);`,
      ],
      { env: { ...process.env, ...noDisplay }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { name, pid } = await new Promise<{ name: string; pid: number }>((resolve, reject) => {
      owner.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before opening a display`)));
    });
    assert.ok(alive(pid));
    owner.kill('SIGKILL');
    await waitFor(() => !alive(pid), 10_000, `Xvfb ${name} (pid ${pid}) to exit with its owner`);
    await waitFor(() => !existsSync(displaySocket(name)), 10_000, `${displaySocket(name)} to be removed`);
  });
});
