/** ok: as it should be; info: worth knowing, nothing to do; warn: act before it hurts; fail: act now. */
export type FindingStatus = 'ok' | 'info' | 'warn' | 'fail';

/** One line of `avt doctor`: what was checked, what was found, and what to do about it. */
export interface Finding {
  check: string;
  status: FindingStatus;
  message: string;
  /** What to do, for warn and fail. */
  fix?: string;
}

export const needsAction = (findings: Finding[]): boolean =>
  findings.some((finding) => finding.status === 'warn' || finding.status === 'fail');
