import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CaptureConfig } from '../../platforms/captureConfig.ts';
import type { HeadedConfig } from '../jobHandlerFor.ts';
import { integer, list, switchOption } from '../parsers.ts';

function geolocation(value: string) {
  const parts = value.split(',').map((part) => Number(part.trim()));
  const [latitude, longitude] = parts;
  if (
    parts.length !== 2 ||
    latitude === undefined ||
    longitude === undefined ||
    !(Math.abs(latitude) <= 90) ||
    !(Math.abs(longitude) <= 180)
  ) {
    throw new InvalidArgumentError(`must be "latitude,longitude", e.g. "48.85,2.35", got '${value}'`);
  }
  return { latitude, longitude };
}

const RESOURCE_TYPES = ['image', 'font', 'media', 'stylesheet'];

/** The browser capture's options (the built-in job handler). */
export function addCaptureOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--base-url <url>',
        "the site's URL instead of the real one (e.g. the bundled mock); default AVT_<SOURCE>_URL",
      ),
    )
    .addOption(
      new Option('--storage-state <file>', 'a Playwright storageState file: a saved logged-in session').env(
        'STORAGE_STATE',
      ),
    )
    .addOption(
      new Option(
        '--proxy <urls>',
        'proxy URLs, comma-separated, rotated per job (http://user:pass@host:port)',
      )
        .env('PROXY_URLS')
        .argParser(list),
    )
    .addOption(new Option('--locale <locale>', 'browser locale, e.g. de-DE').env('LOCALE'))
    .addOption(new Option('--timezone <zone>', 'browser time zone, e.g. Europe/Berlin').env('TIMEZONE'))
    .addOption(
      new Option('--geolocation <lat,lon>', 'browser geolocation, e.g. 52.52,13.40')
        .env('GEOLOCATION')
        .argParser(geolocation),
    )
    .addOption(
      new Option('--block-resources <types>', `resource types not to load: ${RESOURCE_TYPES.join(', ')}`)
        .env('BLOCK_RESOURCES')
        .argParser((value) => {
          const types = list(value);
          const bad = types.find((type) => !RESOURCE_TYPES.includes(type));
          if (bad)
            throw new InvalidArgumentError(
              `unknown resource type '${bad}'; use ${RESOURCE_TYPES.join(', ')}`,
            );
          return types;
        }),
    )
    .addOption(
      switchOption(
        '--trace-on-failure',
        'also save a Playwright trace with failure artifacts',
        'TRACE_ON_FAILURE',
      ),
    )
    .addOption(
      new Option('--artifacts-dir <dir>', 'where failure screenshots and HTML go (<dir>/<run_id>/<attempt>/)')
        .env('ARTIFACTS_DIR')
        .default('artifacts'),
    )
    .addOption(
      new Option('--answer-timeout-seconds <n>', 'longest time from submit to a proven-complete answer')
        .env('ANSWER_TIMEOUT_SECONDS')
        .argParser(integer(1))
        .default(180),
    )
    .addOption(
      new Option('--stable-ms <ms>', 'the answer must be unchanged this long to count as complete')
        .env('STABLE_MS')
        .argParser(integer(1))
        .default(1200),
    )
    .addOption(
      new Option(
        '--recycle-after-jobs <n>',
        'shared browser mode: start a fresh browser after this many jobs',
      )
        .env('BROWSER_RECYCLE_AFTER')
        .argParser(integer(1))
        .default(100),
    )
    .addOption(
      new Option(
        '--warm-pages <n>',
        'shared browser mode: contexts kept open with a page (the start page already loaded where it ' +
          'does not carry the prompt), ready for the next jobs (0: none); default: --concurrency',
      )
        .env('WARM_PAGES')
        .argParser(integer(0, 256)),
    )
    .addOption(
      switchOption(
        '--headed',
        'run Chromium with a window (sites that block headless browsers) on DISPLAY, or on an Xvfb the ' +
          'worker starts and stops when DISPLAY is unset',
        'BROWSER_HEADED',
      ),
    )
    .addOption(
      new Option(
        '--xvfb-path <file>',
        '--headed without DISPLAY: the Xvfb to start (a path, or a name on PATH)',
      )
        .env('XVFB_PATH')
        .default('Xvfb'),
    );
}

/** `--headed`: the display settings; undefined: headless. */
export function toHeadedConfig(options: Record<string, unknown>): HeadedConfig | undefined {
  return options.headed === true ? { xvfbPath: options.xvfbPath as string } : undefined;
}

export function toCaptureConfig(options: Record<string, unknown>): CaptureConfig {
  return {
    baseUrl: options.baseUrl as string | undefined,
    storageState: options.storageState ? resolve(options.storageState as string) : undefined,
    proxies: (options.proxy as string[] | undefined) ?? [],
    locale: options.locale as string | undefined,
    timezone: options.timezone as string | undefined,
    geolocation: options.geolocation as CaptureConfig['geolocation'],
    blockResources: (options.blockResources as string[] | undefined) ?? [],
    traceOnFailure: options.traceOnFailure === true,
    artifactsDir: resolve(options.artifactsDir as string),
    answerTimeoutSeconds: options.answerTimeoutSeconds as number,
    stableMs: options.stableMs as number,
    recycleAfterJobs: options.recycleAfterJobs as number,
    warmPages: (options.warmPages as number | undefined) ?? (options.concurrency as number),
  };
}
