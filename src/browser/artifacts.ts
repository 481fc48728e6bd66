import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Saves what a person needs to see why a job failed: a screenshot and the page HTML, and the Playwright
 * trace when tracing was on. Best effort: a dead page yields what it can. Returns the directory.
 */
export async function saveFailureArtifacts(
  dir: string,
  page: Page | null,
  context: BrowserContext | null,
  tracing: boolean,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (page && !page.isClosed()) {
    // The visible viewport: cheap enough to succeed on a busy machine, and what a person would have seen.
    await page
      .screenshot({ path: join(dir, 'screenshot.png'), timeout: 15_000 })
      .catch(async (error: Error) => {
        // Say why there is no picture rather than leave a person guessing.
        await writeFile(join(dir, 'screenshot-error.txt'), `${error.message}\n`);
      });
    const html = await page.content().catch(() => null);
    if (html !== null) await writeFile(join(dir, 'page.html'), html);
    await writeFile(join(dir, 'url.txt'), `${page.url()}\n`);
  }
  if (tracing && context) await context.tracing.stop({ path: join(dir, 'trace.zip') }).catch(() => {});
  return dir;
}
