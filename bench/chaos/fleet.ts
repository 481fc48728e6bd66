import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { descendantPids } from '../../src/browser/processTree.ts';
import { withoutMetricsPort } from '../../src/demo/runDemo.ts';
import { flavourFor } from '../../src/mock/flavours/index.ts';
import { projectRoot } from '../../src/paths.ts';
import { pssKb } from '../lib.ts';

export interface FleetOptions {
  databaseUrl: string;
  sources: string[];
  workersPerSource: number;
  concurrency: number;
  leaseSeconds: number;
  chromiumPath: string;
  mockUrl: string;
  llmBaseUrl: string;
  /** Each worker's JSON log goes to <logDir>/<source>-<id>.log (a restarted worker appends). */
  logDir: string;
}

/** A process seen in a worker's tree: pid and start time (clock ticks after boot), so a reused pid is not it. */
interface SeenProcess {
  pid: number;
  startTicks: string;
  name: string;
}

export interface FleetWorker {
  source: string;
  id: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** How it ended: 'killed' (by the scenario, SIGKILL) or the exit code once it has exited. */
  killed: boolean;
}

/**
 * The worker processes of a chaos run: `bin/worker` as operators start it, `workersPerSource` per source in
 * shared-browser mode against the mock, the first one also running the background tasks (as a deployment's
 * maintenance worker does). Scenarios kill and restart them; the fleet remembers every browser and Xvfb
 * process it saw under them, to prove none is left behind.
 */
export class Fleet {
  /** Every fleet not yet stopped, for an interrupted run to kill (startWorld's signal handler). */
  static readonly running = new Set<Fleet>();
  readonly workers: FleetWorker[] = [];
  private readonly options: FleetOptions;
  private readonly seen = new Map<number, SeenProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private readonly logEvents: Record<string, unknown>[] = [];
  private readonly watcher: NodeJS.Timeout;
  /** The highest sums of PSS seen (MB): the worker processes, and the browser processes under them. */
  readonly peakMemoryMb = { workers: 0, browsers: 0 };
  /**
   * Workers that exited on their own (not killed by the scenario), would not exit when stopped, or exited only
   * through their clean-up's fallbacks (a step given up on, a handle left open, a connection never released).
   */
  readonly unexpectedExits: string[] = [];
  private stopping = false;

  constructor(options: FleetOptions) {
    this.options = options;
    for (const source of options.sources) {
      for (let id = 1; id <= options.workersPerSource; id += 1)
        this.workers.push(this.spawnWorker(source, id));
    }
    this.watcher = setInterval(() => this.lookForBrowsers(), 1_000);
    Fleet.running.add(this);
  }

  /** SIGKILL to every worker at once (their browsers exit with them): for a run interrupted by a signal. */
  killAll(): void {
    this.stopping = true;
    clearInterval(this.watcher);
    for (const worker of this.workers) worker.child.kill('SIGKILL');
  }

  /** SIGKILLs the worker at `index` and starts its replacement under the same id (a restarted pod). */
  async killAndReplace(index: number): Promise<void> {
    const worker = this.workers[index];
    if (!worker) throw new Error(`no worker ${index}`);
    this.lookForBrowsers();
    worker.killed = true;
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.workers[index] = this.spawnWorker(worker.source, worker.id);
  }

  /** SIGSTOP (true) or SIGCONT (false) to every worker process; their browsers run on. */
  pause(paused: boolean): void {
    for (const worker of this.workers) worker.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Log lines (parsed JSON) whose event or message says the worker is waiting for the database. */
  waitingLines(): Record<string, unknown>[] {
    return this.logEvents.filter((line) => /waiting/i.test(`${line.event ?? ''} ${line.msg ?? ''}`));
  }

  /**
   * SIGTERM to every worker (graceful: in-flight jobs finish or are released), then waits for them; one still
   * running after `exitWithinMs` is SIGKILLed and named in `unexpectedExits`.
   */
  async stop(exitWithinMs = 60_000): Promise<void> {
    this.stopping = true;
    this.lookForBrowsers();
    clearInterval(this.watcher);
    for (const worker of this.workers) worker.child.kill('SIGTERM');
    const late = setTimeout(() => {
      for (const worker of this.workers) {
        if (worker.child.exitCode !== null || worker.child.signalCode !== null) continue;
        this.unexpectedExits.push(
          `${worker.source}-${worker.id} had not exited ${exitWithinMs / 1000} s after SIGTERM`,
        );
        worker.child.kill('SIGKILL');
      }
    }, exitWithinMs);
    await Promise.all(this.workers.map((worker) => worker.exited));
    clearTimeout(late);
    // Exited, but only through the worker's own fallback: a clean-up step stuck or a handle left open.
    for (const line of this.logEvents) {
      if (/^shutdown:(step:timeout|lingering|pool:busy)$/.test(String(line.event))) {
        this.unexpectedExits.push(
          `${line.worker} at exit: ${line.msg} ${JSON.stringify(line.resources ?? '')}`,
        );
      }
    }
    await Promise.all([...this.logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
    Fleet.running.delete(this);
  }

  /** Browser (and Xvfb) processes seen under the workers that still run, after waiting up to `waitMs`. */
  async leftBehind(waitMs: number): Promise<SeenProcess[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const left = [...this.seen.values()].filter((process) => stillRunning(process));
      if (left.length === 0 || Date.now() >= deadline) return left;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** How many browser processes were seen in all (a check that the watch saw anything). */
  browsersSeen(): number {
    return [...this.seen.values()].filter((process) => /chrom/i.test(process.name)).length;
  }

  /** Sums the PSS of the workers and of their browsers now, keeping the peaks (smaps_rollup: sample rarely). */
  measureMemory(): void {
    let workers = 0;
    let browsers = 0;
    for (const worker of this.workers) {
      if (worker.child.pid === undefined || worker.child.exitCode !== null) continue;
      workers += pssKb(worker.child.pid);
      for (const pid of descendantPids(worker.child.pid)) browsers += pssKb(pid);
    }
    this.peakMemoryMb.workers = Math.max(this.peakMemoryMb.workers, workers / 1024);
    this.peakMemoryMb.browsers = Math.max(this.peakMemoryMb.browsers, browsers / 1024);
  }

  private lookForBrowsers(): void {
    for (const worker of this.workers) {
      if (worker.child.pid === undefined || worker.child.exitCode !== null) continue;
      for (const pid of descendantPids(worker.child.pid)) {
        const process = readProcess(pid);
        if (process && /chrom|xvfb/i.test(process.name)) this.seen.set(pid, process);
      }
    }
  }

  private spawnWorker(source: string, id: number): FleetWorker {
    const o = this.options;
    const flavour = flavourFor(source)?.name;
    if (!flavour) throw new Error(`the mock has no pages for ${source}`);
    const maintenance = source === o.sources[0] && id === 1;
    const child = spawn(
      join(projectRoot, 'bin', 'worker'),
      [
        ...['--ai-source', source, '--worker-id', String(id), '--browser', 'shared'],
        ...['--concurrency', String(o.concurrency), '--lease-seconds', String(o.leaseSeconds)],
        ...['--base-url', `${o.mockUrl}/${flavour}/`, '--poll-interval-ms', '1000', '--stable-ms', '300'],
        ...(maintenance ? [] : ['--no-maintenance']),
      ],
      {
        env: {
          ...withoutMetricsPort(process.env),
          DATABASE_URL: o.databaseUrl,
          CHROMIUM_PATH: o.chromiumPath,
          LLM_BASE_URL: o.llmBaseUrl,
          LOG_FORMAT: 'json',
          // Long enough to outlast the scenarios' outages at start-up.
          DB_CONNECT_TIMEOUT_SECONDS: '120',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const name = `${source}-${id}`;
    let log = this.logs.get(name);
    if (!log) {
      log = createWriteStream(join(o.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
    }
    const out = log;
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) {
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (Number(line.level) >= 40) this.logEvents.push({ worker: name, ...line });
        } catch {
          this.logEvents.push({ worker: name, msg: text });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => out.write(chunk));
    const worker: FleetWorker = {
      source,
      id,
      child,
      killed: false,
      exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    };
    void worker.exited.then((code) => {
      if (!worker.killed && !this.stopping) this.unexpectedExits.push(`${name} exited with ${code}`);
    });
    return worker;
  }
}

function readProcess(pid: number): SeenProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return { pid, name, startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function stillRunning(process: SeenProcess): boolean {
  return readProcess(process.pid)?.startTicks === process.startTicks;
}
