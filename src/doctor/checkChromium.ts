import { chromiumVersion, findChromium } from '../browser/findChromium.ts';
import type { Finding } from './finding.ts';

const CHECK = 'chromium';

/** The Chromium a worker on this machine would launch (CHROMIUM_PATH, the system's, the bundled one). */
export async function checkChromium(env: NodeJS.ProcessEnv = process.env): Promise<Finding[]> {
  try {
    const found = await findChromium({ env });
    const version = await chromiumVersion(found.executablePath);
    return [
      { check: CHECK, status: 'ok', message: `${version} at ${found.executablePath} (${found.origin})` },
    ];
  } catch (error) {
    return [
      {
        check: CHECK,
        status: 'fail',
        message: `no Chromium a worker could launch: ${(error as Error).message}`,
        fix: "install Debian's chromium, or set CHROMIUM_PATH (docs/configuration.md)",
      },
    ];
  }
}
