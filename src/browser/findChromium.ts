import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';
import { type BundledPackage, bundledPackage, cacheDir, unpackBundledChromium } from './bundledChromium.ts';

/** No usable Chromium: says where we looked and how to install one. */
export class BrowserNotFoundError extends Error {
  readonly tried: string[];
  constructor(tried: string[], options?: ErrorOptions) {
    super(
      `no Chromium found (tried: ${tried.join(', ')}); install one with 'apt-get install -y chromium' ` +
        '(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome executable',
      options,
    );
    this.name = 'BrowserNotFoundError';
    this.tried = tried;
  }
}

const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FoundChromium {
  executablePath: string;
  /** Where it came from: `CHROMIUM_PATH`, `system`, or `bundled` (the @sparticuz/chromium package). */
  origin: 'CHROMIUM_PATH' | 'system' | 'bundled';
}

export interface ChromiumSearch {
  /** CHROMIUM_PATH, and AVT_CACHE_DIR / XDG_CACHE_HOME / HOME for the bundled one's cache. */
  env?: NodeJS.ProcessEnv;
  /** The system locations, tried in order. */
  systemPaths?: readonly string[];
}

/**
 * Chromium, in this order: CHROMIUM_PATH (a path, or `bundled` to force the bundled one); a system
 * Chromium or Chrome; the Chromium shipped inside the @sparticuz/chromium package, unpacked once into the
 * per-user cache (never downloaded).
 */
export async function findChromium({
  env = process.env,
  systemPaths = SYSTEM_CHROMIUMS,
}: ChromiumSearch = {}): Promise<FoundChromium> {
  const tried: string[] = [];
  if (env.CHROMIUM_PATH === 'bundled')
    return { executablePath: await bundled(env, tried), origin: 'bundled' };
  if (env.CHROMIUM_PATH) {
    if (executable(env.CHROMIUM_PATH)) return { executablePath: env.CHROMIUM_PATH, origin: 'CHROMIUM_PATH' };
    throw new BrowserNotFoundError([`CHROMIUM_PATH=${env.CHROMIUM_PATH} (not an executable file)`]);
  }
  for (const path of systemPaths) {
    if (executable(path)) return { executablePath: path, origin: 'system' };
    tried.push(path);
  }
  return { executablePath: await bundled(env, tried), origin: 'bundled' };
}

async function bundled(env: NodeJS.ProcessEnv, tried: string[]): Promise<string> {
  let bundle: BundledPackage;
  try {
    bundle = bundledPackage();
  } catch (error) {
    throw new BrowserNotFoundError([...tried, '@sparticuz/chromium (not installed)'], { cause: error });
  }
  const directory = cacheDir(env);
  try {
    return await unpackBundledChromium(directory, bundle);
  } catch (error) {
    const reason = (error as Error).message;
    throw new BrowserNotFoundError(
      [
        ...tried,
        `@sparticuz/chromium ${bundle.version} (could not unpack into ${directory}: ${reason}; set AVT_CACHE_DIR to a writable directory)`,
      ],
      { cause: error },
    );
  }
}

/**
 * The executable's name and version, e.g. `Chromium 153.0.8010.0`, from its --version line (Debian's adds
 * "built on Debian GNU/Linux 12 (bookworm)", which is dropped).
 */
export async function chromiumVersion(executablePath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(executablePath, ['--version'], { timeout: 15_000 });
  const line = stdout.trim().split('\n')[0] ?? '';
  return /^.*?\d+(\.\d+)+/.exec(line)?.[0] ?? line;
}
