import type { Finding, FindingStatus } from './finding.ts';

const LABEL: Record<FindingStatus, string> = { ok: 'ok  ', info: 'info', warn: 'WARN', fail: 'FAIL' };

/** One line per finding (`WARN  connections  …`), its fix on the next line, and a last line that sums up. */
export function formatFindings(findings: Finding[]): string {
  const width = Math.max(...findings.map((finding) => finding.check.length));
  const lines = findings.flatMap((finding) => [
    `${LABEL[finding.status]}  ${finding.check.padEnd(width)}  ${finding.message}`,
    ...(finding.fix ? [`${' '.repeat(width + 8)}→ ${finding.fix}`] : []),
  ]);
  const acting = findings.filter((finding) => finding.status === 'warn' || finding.status === 'fail');
  lines.push(
    '',
    acting.length === 0
      ? 'nothing needs action'
      : `${acting.length} finding(s) need action: ${[...new Set(acting.map((finding) => finding.check))].join(', ')}`,
  );
  return lines.join('\n');
}
