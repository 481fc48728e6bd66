/**
 * The features Playwright 1.65 disables with its own --disable-features. Chromium keeps only the last
 * --disable-features on its command line, so ours must repeat these or it would switch them back on;
 * test/browser/launchFlags.test.ts fails when a Playwright upgrade changes its list.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Browser UI that no capture shows but every context paid for: Chromium preloads its omnibox popup as a
 * WebUI page in every new window, and each Playwright context is a window. Those hidden pages doubled the
 * renderer processes per job and cost more CPU than the job's own page, at its start and while it waits.
 */
export const OMNIBOX_WEBUI_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

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
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_WEBUI_FEATURES].join(',')}`,
];

/** `worker --headed`: the same flags, but a window on an X display instead of --headless. */
export const HEADED_CHROMIUM_ARGS = CHROMIUM_ARGS.filter((arg) => arg !== '--headless');
