import { readdirSync, readFileSync } from 'node:fs';

/** One live process as /proc/<pid>/stat shows it. */
interface ProcessEntry {
  ppid: number;
  /** CPU time used so far (user + system), in clock ticks. */
  cpuTicks: number;
}

/** Every live process, read once from /proc (Linux); throws where there is no /proc. */
function readProcesses(): Map<number, ProcessEntry> {
  const processes = new Map<number, ProcessEntry>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ... utime stime ...; comm may contain spaces and parentheses
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      processes.set(Number(entry), {
        ppid: Number(fields[1]),
        cpuTicks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // the process exited while we looked
    }
  }
  return processes;
}

function descendantsIn(processes: Map<number, ProcessEntry>, root: number): number[] {
  const result: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [pid, { ppid }] of processes) {
      if (ppid === parent) {
        result.push(pid);
        frontier.push(pid);
      }
    }
  }
  return result;
}

/** Pids of every live process descended from `root` (via /proc; Linux). */
export function descendantPids(root = process.pid): number[] {
  return descendantsIn(readProcesses(), root);
}

/** CPU seconds used so far by `root` and every live process below it, from one read of /proc (Linux). */
export function treeCpuSeconds(root: number): number {
  const processes = readProcesses();
  let ticks = processes.get(root)?.cpuTicks ?? 0;
  for (const pid of descendantsIn(processes, root)) ticks += processes.get(pid)?.cpuTicks ?? 0;
  return ticks / 100; // USER_HZ: 100 on every Linux that Node supports
}
