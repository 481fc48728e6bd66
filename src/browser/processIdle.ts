import { readFileSync } from 'node:fs';
import { descendantPids } from './processTree.ts';

/** CPU seconds used so far by `root` and every process below it (via /proc; Linux). */
function treeCpuSeconds(root: number): number {
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux that Node supports
  let ticks = 0;
  for (const pid of [root, ...descendantPids(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // it exited meanwhile
    }
  }
  return ticks / ticksPerSecond;
}

/**
 * Waits until the process tree under `root` uses less than `idleShare` of one core over a `windowMs`
 * window, or `maxMs` passed. Returns how long it waited. Without /proc it returns at once.
 */
export async function waitForIdleProcessTree(
  root: number,
  { idleShare = 0.2, windowMs = 250, maxMs = 10_000 } = {},
): Promise<number> {
  const started = Date.now();
  let before: number;
  try {
    before = treeCpuSeconds(root);
    readFileSync(`/proc/${root}/stat`);
  } catch {
    return 0;
  }
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = treeCpuSeconds(root);
    if (now - before < (idleShare * windowMs) / 1000) break;
    before = now;
  }
  return Date.now() - started;
}
