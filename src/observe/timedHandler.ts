import type { ExtractingJobHandler, Job, JobHandler } from '../job/handler.ts';
import type { RunResult } from '../job/result.ts';

export interface HandlerTimings {
  /** A capture succeeded after this many seconds (the browser part of the job). */
  onCaptured(seconds: number): void;
  /** The extraction that followed took this many seconds and gave this result. */
  onExtracted(seconds: number, result: RunResult): void;
}

/**
 * Times the two steps of a job apart: `extract` (withExtraction) wraps the timed capture, so the capture's
 * end, remembered per job, splits the whole run into capture time and extraction time, even with several
 * jobs in flight. A handler that extracts for itself is timed as one capture.
 */
export function withTimings(
  capture: JobHandler,
  extract: (capture: JobHandler) => ExtractingJobHandler,
  timings: HandlerTimings,
): ExtractingJobHandler {
  const captured = new WeakMap<Job, number>();
  // Fields named one by one: a handler may be a class instance, whose methods a spread would not copy.
  const timedCapture = {
    extracts: capture.extracts,
    ...(capture.close ? { close: () => capture.close?.() ?? Promise.resolve() } : {}),
    run: async (job: Job) => {
      const start = performance.now();
      const answer = await capture.run(job);
      const end = performance.now();
      captured.set(job, end);
      timings.onCaptured((end - start) / 1000);
      return answer;
    },
  } as JobHandler;
  const inner = extract(timedCapture);
  if (inner === timedCapture) return inner;
  return {
    extracts: true,
    ...(inner.close ? { close: () => inner.close?.() ?? Promise.resolve() } : {}),
    async run(job) {
      const result = await inner.run(job);
      const captureEnd = captured.get(job);
      if (captureEnd !== undefined) timings.onExtracted((performance.now() - captureEnd) / 1000, result);
      return result;
    },
  };
}
