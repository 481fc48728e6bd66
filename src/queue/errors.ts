/**
 * The run's lease is no longer ours: it expired and another worker took the run over, or the run was
 * finished, released or cancelled meanwhile. Nothing was written; the job must stop. Not a failure of
 * the run: whoever holds the lease now owns its outcome.
 */
export class LeaseLostError extends Error {
  readonly runId: string;
  constructor(runId: string, options?: ErrorOptions) {
    super(
      `lease on run ${runId} was lost (expired and taken over, or the run was finished elsewhere)`,
      options,
    );
    this.name = 'LeaseLostError';
    this.runId = runId;
  }
}
