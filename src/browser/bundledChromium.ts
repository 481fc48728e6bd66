import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

/**
 * The per-user cache directory: AVT_CACHE_DIR, else $XDG_CACHE_HOME/avt, else ~/.cache/avt. Never a fixed
 * name in /tmp: that is shared between users, wiped on reboot and mounted noexec on some systems.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AVT_CACHE_DIR) return env.AVT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'avt');
  return join(env.HOME || homedir(), '.cache', 'avt');
}

/** The Chromium inside the @sparticuz/chromium package: its compressed binary and the package version. */
export interface BundledPackage {
  compressed: string;
  version: string;
}

export function bundledPackage(): BundledPackage {
  // The package exports only its entry point (build/index.js); its root is one folder up.
  const root = join(dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { compressed: join(root, 'bin', 'chromium.br'), version };
}

/** How long a waiter trusts another process's unpacking before it unpacks in parallel itself. */
const LOCK_PATIENCE_MS = 120_000;
const POLL_MS = 100;

/**
 * The bundled Chromium's executable, unpacked once per package version into
 * `<cacheDir>/chromium-<version>/chromium`. Processes that start together take turns on a lock file: one
 * unpacks, the others wait for it. The unpack goes to a temporary directory that is renamed into place
 * whole, so no process ever executes a half-written file; a waiter whose unpacker died (or took over
 * two minutes) unpacks in parallel, and the first rename wins.
 */
export async function unpackBundledChromium(directory: string, bundle: BundledPackage): Promise<string> {
  const target = join(directory, `chromium-${bundle.version}`);
  const executable = join(target, 'chromium');
  if (existsSync(executable)) return executable;
  await mkdir(directory, { recursive: true });

  const lock = `${target}.lock`;
  const holding = await tryLock(lock);
  if (!holding) {
    const waitedUntil = Date.now() + LOCK_PATIENCE_MS;
    while (Date.now() < waitedUntil && !existsSync(executable) && (await lockIsLive(lock))) {
      await sleep(POLL_MS);
    }
    if (existsSync(executable)) return executable;
  }
  try {
    await unpackInto(target, bundle.compressed);
  } finally {
    // Once the directory is in place nobody needs the lock, so any process may remove it.
    if (holding || existsSync(executable)) await rm(lock, { force: true });
  }
  return executable;
}

async function unpackInto(target: string, compressed: string): Promise<void> {
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(temporary);
  try {
    await pipeline(
      createReadStream(compressed),
      createBrotliDecompress(),
      createWriteStream(join(temporary, 'chromium'), { mode: 0o755 }),
    );
    await rename(temporary, target).catch((error: NodeJS.ErrnoException) => {
      // Another process's rename won: its directory is just as complete as ours.
      if (!(error.code === 'ENOTEMPTY' || error.code === 'EEXIST') || !existsSync(join(target, 'chromium')))
        throw error;
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Creates the lock file with our host and pid, or returns false if another process holds it. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    const handle = await open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    await handle.writeFile(`${hostname()} ${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The lock still exists and, when it was taken on this host, its process is alive. */
async function lockIsLive(lock: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch {
    return false; // gone: its holder finished or gave up
  }
  const [holderHost, holderPid] = text.trim().split(' ');
  // Still being written, or taken on another host sharing this directory: trust it.
  if (!holderHost || !holderPid || holderHost !== hostname()) return true;
  try {
    process.kill(Number(holderPid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
