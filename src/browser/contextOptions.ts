import type { BrowserContext, BrowserContextOptions } from 'playwright-core';

export interface ProxySettings {
  server: string;
  username?: string;
  password?: string;
}

/** Per job: who the browser appears to be. Answers differ by location, so locale and place are settable. */
export interface JobContextOptions {
  /** A Playwright storageState file: a saved logged-in session. */
  storageStatePath?: string | undefined;
  proxy?: ProxySettings | undefined;
  locale?: string | undefined;
  timezoneId?: string | undefined;
  geolocation?: { latitude: number; longitude: number } | undefined;
  /** Resource types not to load, e.g. image, font, media. */
  block?: string[] | undefined;
}

/** `http://user:pass@host:port` → Playwright's proxy settings (credentials kept out of the server URL). */
export function parseProxy(value: string): ProxySettings {
  const url = new URL(value);
  const settings: ProxySettings = { server: `${url.protocol}//${url.host}` };
  if (url.username) settings.username = decodeURIComponent(url.username);
  if (url.password) settings.password = decodeURIComponent(url.password);
  return settings;
}

export function toPlaywrightOptions(options: JobContextOptions): BrowserContextOptions {
  const result: BrowserContextOptions = {};
  if (options.storageStatePath) result.storageState = options.storageStatePath;
  if (options.proxy) result.proxy = options.proxy;
  if (options.locale) result.locale = options.locale;
  if (options.timezoneId) result.timezoneId = options.timezoneId;
  if (options.geolocation) {
    result.geolocation = options.geolocation;
    result.permissions = ['geolocation'];
  }
  return result;
}

/** Aborts requests for the blocked resource types (images, fonts, media) to save time and bandwidth. */
export async function blockResources(context: BrowserContext, types: string[] | undefined): Promise<void> {
  if (!types || types.length === 0) return;
  const blocked = new Set(types);
  await context.route('**/*', (route) =>
    blocked.has(route.request().resourceType()) ? route.abort() : route.fallback(),
  );
}
