/** How the built-in browser capture drives Chromium (the worker's default, when no --handler is given). */
export interface CaptureConfig {
  /** Replaces the adapter's site URL (e.g. the bundled mock); AVT_<SOURCE>_URL when unset. */
  baseUrl: string | undefined;
  storageState: string | undefined;
  /** Rotated per job. */
  proxies: string[];
  locale: string | undefined;
  timezone: string | undefined;
  geolocation: { latitude: number; longitude: number } | undefined;
  blockResources: string[];
  traceOnFailure: boolean;
  artifactsDir: string;
  answerTimeoutSeconds: number;
  stableMs: number;
  recycleAfterJobs: number;
  /** Shared mode: contexts with an open page kept ready for the next jobs. */
  warmPages: number;
}
