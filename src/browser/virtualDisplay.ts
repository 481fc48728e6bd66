import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

const INSTALL_HINT = 'install xvfb (apt-get install -y xvfb) or set DISPLAY to a running X display';

/** Xvfb is missing, failed, or too slow to start: says which, and what to do. */
export class VirtualDisplayError extends Error {
  override name = 'VirtualDisplayError';
  /** The Xvfb executable that was tried. */
  readonly xvfbPath: string;
  constructor(xvfbPath: string, problem: string, options?: ErrorOptions) {
    super(`${problem}; ${INSTALL_HINT}`, options);
    this.xvfbPath = xvfbPath;
  }
}

/** The X display headed browsers open their windows on. */
export interface VirtualDisplay {
  /** For Chromium's DISPLAY, e.g. `:3`. */
  readonly name: string;
  /** The Xvfb we started, or undefined when DISPLAY named a display someone else runs. */
  readonly pid: number | undefined;
  /** Stops the Xvfb we started (and waits until it has gone); leaves someone else's display alone. */
  close(): Promise<void>;
}

export interface DisplayOptions {
  /** DISPLAY, when set, is used as it is. */
  env?: NodeJS.ProcessEnv;
  /** The Xvfb executable: a path, or a name looked up on PATH. */
  xvfbPath?: string;
  startTimeoutMs?: number;
  closeTimeoutMs?: number;
}

/**
 * The display named by DISPLAY, or else a fresh Xvfb. Xvfb picks a free display number itself
 * (`-displayfd`: it takes the first number whose socket it can bind, so processes starting together
 * never share one; it writes no /tmp/.X<n>-lock then) and writes it once it accepts connections. It runs in its own process group, so a
 * Ctrl-C meant for the worker does not take the display from browsers still finishing their jobs.
 */
export async function openDisplay({
  env = process.env,
  xvfbPath = 'Xvfb',
  startTimeoutMs = 10_000,
  closeTimeoutMs = 5_000,
}: DisplayOptions = {}): Promise<VirtualDisplay> {
  if (env.DISPLAY) return { name: env.DISPLAY, pid: undefined, close: async () => {} };
  const xvfb = spawn(
    xvfbPath,
    // -terminate: exit when the last client leaves; the keep-alive below is a client until we die.
    ['-displayfd', '3', '-nolisten', 'tcp', '-terminate', '-screen', '0', '1920x1080x24'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => xvfb.once('exit', () => resolve()));
  let number: number;
  let keepAlive: Socket;
  try {
    number = await displayNumber(xvfb, xvfbPath, startTimeoutMs);
    keepAlive = await holdDisplay(number, xvfbPath, startTimeoutMs);
  } catch (error) {
    await stop(xvfb, exited, closeTimeoutMs);
    throw error;
  }
  // Neither Xvfb nor the keep-alive may keep the worker's event loop alive.
  xvfb.unref();
  for (const stream of [xvfb.stdio[2], xvfb.stdio[3]]) (stream as Socket | null)?.unref();
  let closing: Promise<void> | undefined;
  return {
    name: `:${number}`,
    pid: xvfb.pid,
    close: () => {
      closing ??= stop(xvfb, exited, closeTimeoutMs).finally(() => keepAlive.destroy());
      return closing;
    },
  };
}

/** Reads the display number Xvfb writes to fd 3 when it is ready; rejects when it fails or is too slow. */
function displayNumber(xvfb: ChildProcess, xvfbPath: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let written = '';
    let stderr = '';
    const timer = setTimeout(
      () =>
        fail(
          new VirtualDisplayError(xvfbPath, `Xvfb (${xvfbPath}) opened no display within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    xvfb.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      written += chunk.toString();
      const line = /^(\d+)\n/.exec(written);
      if (!line) return;
      clearTimeout(timer);
      resolve(Number(line[1]));
    });
    xvfb.once('error', (error: NodeJS.ErrnoException) => {
      const problem =
        error.code === 'ENOENT'
          ? `Xvfb not found (${xvfbPath}); worker --headed starts one when DISPLAY is unset`
          : `could not run Xvfb (${xvfbPath}): ${error.message}`;
      fail(new VirtualDisplayError(xvfbPath, problem, { cause: error }));
    });
    xvfb.once('exit', (code, signal) => {
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      fail(
        new VirtualDisplayError(
          xvfbPath,
          `Xvfb (${xvfbPath}) exited (${signal ?? `code ${code}`}) before its display was ready` +
            (last ? `: ${last}` : ''),
        ),
      );
    });
  });
}

/**
 * Connects to the display as an X client and stays connected: with -terminate, Xvfb exits when its last
 * client leaves, so a worker that dies without closing it (SIGKILL, a crash) still leaves no Xvfb behind.
 */
function holdDisplay(number: number, xvfbPath: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(`/tmp/.X11-unix/X${number}`);
    const fail = (problem: string, cause?: Error) => {
      socket.destroy();
      reject(new VirtualDisplayError(xvfbPath, problem, cause ? { cause } : undefined));
    };
    socket.setTimeout(timeoutMs, () => fail(`Xvfb (${xvfbPath}) on :${number} did not answer a client`));
    socket.once('error', (error) => fail(`could not connect to Xvfb on :${number}: ${error.message}`, error));
    socket.once('connect', () => {
      // The X11 connection setup: little-endian ('l'), protocol 11.0, no authorization.
      const setup = Buffer.alloc(12);
      setup.write('l', 0);
      setup.writeUInt16LE(11, 2);
      socket.write(setup);
    });
    socket.once('data', (reply: Buffer) => {
      // The first byte of the reply: 1 = success, 0 = refused, 2 = authentication needed.
      if (reply[0] !== 1) return fail(`Xvfb on :${number} refused a client (status ${reply[0]})`);
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      socket.on('error', () => {}); // Xvfb going away (on close) resets the connection: expected
      socket.resume();
      socket.unref();
      resolve(socket);
    });
  });
}

/** SIGTERM (Xvfb removes its socket), SIGKILL if it has not gone within the timeout. */
async function stop(xvfb: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (xvfb.exitCode !== null || xvfb.signalCode !== null || xvfb.pid === undefined) return;
  xvfb.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  if (await Promise.race([exited.then(() => false), late])) {
    xvfb.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
