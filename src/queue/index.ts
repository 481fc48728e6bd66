export { BatchingQueueClient } from './batchingQueueClient.ts';
export type { ClaimedRun, Lease } from './claimedRun.ts';
export { type ClaimParams, claimNextPrompt, claimNextPrompts } from './claimNextPrompt.ts';
export {
  type BrandMention,
  type CapturedResponse,
  type Citation,
  commitResult,
  commitResults,
  type RunCommit,
  type RunResult,
} from './commitResult.ts';
export { completePromptRun } from './completePromptRun.ts';
export { LeaseLostError } from './errors.ts';
export { type Failure, failPromptRun } from './failPromptRun.ts';
export { heartbeatPromptRun } from './heartbeatPromptRun.ts';
export { releasePromptRun } from './releasePromptRun.ts';
export { listenForQueuedRuns, QUEUED_CHANNEL, type WakeupOptions, type Wakeups } from './wakeups.ts';
