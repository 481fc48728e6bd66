import { readFileSync } from 'node:fs';

/** Whether `pid` is a live process; a zombie waiting for its parent to reap it counts as gone (Linux). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * An X display's socket (`:3` → /tmp/.X11-unix/X3). Xvfb removes it when it exits cleanly (with
 * -displayfd it writes no /tmp/.X<n>-lock file: the socket itself claims the number).
 */
export const displaySocket = (display: string) => `/tmp/.X11-unix/X${display.slice(1)}`;
