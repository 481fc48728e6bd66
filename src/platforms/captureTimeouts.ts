/** How long each step of a capture may take. */
export interface CaptureTimeouts {
  /** Loading the start page. */
  navigationMs: number;
  /** The input box appearing. */
  inputMs: number;
  /** The answer starting after submit. */
  answerStartMs: number;
  /** The whole answer, from submit to proven completion. */
  answerMs: number;
  /** The text (and citations) must not change for this long before the answer counts as complete. */
  stableMs: number;
  /** Stop control gone and text stable but no finished marker for this long: completion can't be proven. */
  finishedGraceMs: number;
}

export const DEFAULT_CAPTURE_TIMEOUTS: CaptureTimeouts = {
  navigationMs: 30_000,
  inputMs: 15_000,
  answerStartMs: 30_000,
  answerMs: 180_000,
  stableMs: 1_200,
  finishedGraceMs: 15_000,
};
