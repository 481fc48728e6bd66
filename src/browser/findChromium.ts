import { accessSync, constants } from 'node:fs';

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
  /** Where it came from: `CHROMIUM_PATH`, `system` or `npm` (@sparticuz/chromium). */
  origin: 'CHROMIUM_PATH' | 'system' | 'npm';
}

/**
 * Chromium, in this order: CHROMIUM_PATH; a system Chromium or Chrome; the Chromium shipped inside the
 * @sparticuz/chromium package (unpacked from the package itself, never downloaded).
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const tried: string[] = [];
  if (env.CHROMIUM_PATH) {
    if (executable(env.CHROMIUM_PATH)) return { executablePath: env.CHROMIUM_PATH, origin: 'CHROMIUM_PATH' };
    throw new BrowserNotFoundError([`CHROMIUM_PATH=${env.CHROMIUM_PATH} (not an executable file)`]);
  }
  for (const path of SYSTEM_CHROMIUMS) {
    if (executable(path)) return { executablePath: path, origin: 'system' };
    tried.push(path);
  }
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    const path = await packaged.executablePath();
    if (path && executable(path)) return { executablePath: path, origin: 'npm' };
    tried.push('@sparticuz/chromium (unusable)');
  } catch (error) {
    tried.push('@sparticuz/chromium (not installed)');
    throw new BrowserNotFoundError(tried, { cause: error });
  }
  throw new BrowserNotFoundError(tried);
}
