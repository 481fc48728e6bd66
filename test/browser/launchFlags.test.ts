import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { findChromium } from '../../src/browser/findChromium.ts';
import { OMNIBOX_WEBUI_FEATURES } from '../../src/browser/launchFlags.ts';
import { ManagedBrowser } from '../../src/browser/managedBrowser.ts';

let browser: ManagedBrowser;

before(async () => {
  browser = await ManagedBrowser.launch((await findChromium()).executablePath);
});
after(async () => {
  await browser.close();
});

/** Each --disable-features value on the running browser's command line, in order. */
function disabledFeatureLists(pid: number): string[][] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((arg) => arg.startsWith('--disable-features='))
    .map((arg) => arg.slice('--disable-features='.length).split(','));
}

describe('Chromium launch flags', () => {
  test("our --disable-features, the one Chromium keeps, still holds every feature Playwright's disables", () => {
    const lists = disabledFeatureLists(browser.pid as number);
    assert.ok(lists.length >= 2, `expected Playwright's list and ours, got ${lists.length}`);
    const kept = new Set(lists.at(-1));
    const dropped = lists.slice(0, -1).flatMap((list) => list.filter((feature) => !kept.has(feature)));
    assert.deepEqual(dropped, [], 'update PLAYWRIGHT_DISABLED_FEATURES in src/browser/launchFlags.ts');
    for (const feature of OMNIBOX_WEBUI_FEATURES) assert.ok(kept.has(feature), feature);
  });

  test('a new context opens only its own page: no hidden omnibox pages beside it', async () => {
    const contexts = await Promise.all([browser.browser.newContext(), browser.browser.newContext()]);
    await Promise.all(contexts.map((context) => context.newPage()));
    const cdp = await browser.browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    await Promise.all(contexts.map((context) => context.close()));
    const urls = targetInfos.map((target) => target.url);
    assert.deepEqual(
      urls.filter((url) => url.startsWith('chrome://')),
      [],
      `targets: ${urls.join(', ')}`,
    );
    assert.equal(targetInfos.filter((target) => target.type === 'page').length, 2);
  });
});
