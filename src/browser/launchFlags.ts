/**
 * Chromium flags for headless capture in containers: no sandbox (root in a container), no GPU, /tmp
 * instead of a small /dev/shm, and none of Chromium's own background traffic (updates, sync, safe-browsing
 * lists), which a closed network refuses many times a second.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
