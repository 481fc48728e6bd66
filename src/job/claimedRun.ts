/** A run handed to this worker by claim_next_prompt, with the lease that fences everything it writes. */
export interface ClaimedRun {
  runId: string;
  promptId: string;
  promptText: string;
  aiSource: string;
  round: number;
  sample: number;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  leaseToken: string;
  lockedBy: string;
  lockedUntil: Date;
}

/** The part of a claim that identifies a lease. */
export type Lease = Pick<ClaimedRun, 'runId' | 'leaseToken'>;
