import { treeCpuSeconds } from './processTree.ts';

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
