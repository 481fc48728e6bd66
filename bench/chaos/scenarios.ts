import pg from 'pg';
import type { OwnPostgres } from '../../test/helpers/ownPostgres.ts';
import type { Fleet } from './fleet.ts';
import { MONITOR_APP, type Timeline } from './timeline.ts';

/** How long each fault lasts; the short form (CI) shortens them. */
export interface Phases {
  killEveryS: number;
  postgresDownS: number;
  backendKillS: number;
  backendKillEveryMs: number;
  exhaustionS: number;
  /** Connection slots left free while the server is held full. */
  slotsLeft: number;
}

export const FULL_PHASES: Phases = {
  killEveryS: 5,
  postgresDownS: 10,
  backendKillS: 20,
  backendKillEveryMs: 250,
  exhaustionS: 20,
  slotsLeft: 3,
};

export const SHORT_PHASES: Phases = {
  killEveryS: 4,
  postgresDownS: 5,
  backendKillS: 6,
  backendKillEveryMs: 250,
  exhaustionS: 8,
  slotsLeft: 3,
};

export interface ScenarioContext {
  fleet: Fleet;
  server: OwnPostgres;
  database: string;
  timeline: Timeline;
  totalRuns: number;
  phases: Phases;
}

/** When the fault began and ended (seconds on the timeline), and what it did. */
export interface FaultWindow {
  startS: number;
  endS: number;
  detail: string;
}

export interface Scenario {
  name: string;
  inject(context: ScenarioContext): Promise<FaultWindow>;
  /** A check of the scenario's own, beyond the common ones: a failure message, or undefined. */
  check?(context: ScenarioContext): string | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function randomWorker(fleet: Fleet): number {
  return Math.floor(Math.random() * fleet.workers.length);
}

/** A session of the scenario's own on the chaos server, not one the faults touch. */
async function adminClient(context: ScenarioContext, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: context.server.url, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Terminates every session of the scenario's database but the chaos run's own; resolves to how many. */
async function terminateWorkerSessions(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name NOT LIKE $2`,
    [database, `${MONITOR_APP}%`],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Opens sessions (kept in `hogs`), ten at a time, until the server refuses them. */
async function fillServer(server: OwnPostgres, hogs: pg.Client[]): Promise<void> {
  for (;;) {
    const opened = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const hog = new pg.Client({ connectionString: server.url, application_name: `${MONITOR_APP}-hog` });
        hog.on('error', () => {});
        try {
          await hog.connect();
          return hog;
        } catch {
          return undefined;
        }
      }),
    );
    for (const hog of opened) if (hog) hogs.push(hog);
    if (opened.some((hog) => !hog)) return;
    if (hogs.length > server.maxConnections) throw new Error('the server never refused a connection');
  }
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'crash_recovery',
    async inject({ fleet, timeline }) {
      const index = randomWorker(fleet);
      const worker = fleet.workers[index];
      const startS = timeline.now();
      await fleet.killAndReplace(index);
      return {
        startS,
        endS: startS,
        detail: `SIGKILLed ${worker?.source}-${worker?.id} and started it again`,
      };
    },
  },
  {
    name: 'repeated_kills',
    async inject({ fleet, timeline, totalRuns, phases }) {
      const startS = timeline.now();
      let kills = 0;
      // Kills go on until most of the batch has ended, so the rest shows the recovery.
      while (timeline.latest() < totalRuns * 0.85) {
        await fleet.killAndReplace(randomWorker(fleet));
        kills += 1;
        await sleep(phases.killEveryS * 1000);
      }
      return {
        startS,
        endS: timeline.now(),
        detail: `${kills} SIGKILLs, one every ${phases.killEveryS} s, each worker started again`,
      };
    },
  },
  {
    name: 'postgres_restart',
    async inject({ server, timeline, phases }) {
      const startS = timeline.now();
      await server.stop();
      await sleep(phases.postgresDownS * 1000);
      await server.restart();
      return {
        startS,
        endS: timeline.now(),
        detail: `PostgreSQL stopped for ${phases.postgresDownS} s (fast shutdown), then started; workers not restarted`,
      };
    },
  },
  {
    name: 'pg_backend_kill',
    async inject(context) {
      const { timeline, phases, database } = context;
      const admin = await adminClient(context, `${MONITOR_APP}-fault`);
      const startS = timeline.now();
      let terminated = 0;
      try {
        while (timeline.now() - startS < phases.backendKillS) {
          terminated += await terminateWorkerSessions(admin, database);
          await sleep(phases.backendKillEveryMs);
        }
      } finally {
        await admin.end();
      }
      return {
        startS,
        endS: timeline.now(),
        detail: `${terminated} sessions terminated, every ${phases.backendKillEveryMs} ms for ${phases.backendKillS} s`,
      };
    },
  },
  {
    name: 'pool_exhaustion',
    async inject(context) {
      const { fleet, server, timeline, phases, database } = context;
      const admin = await adminClient(context, `${MONITOR_APP}-fault`);
      const hogs: pg.Client[] = [];
      const startS = timeline.now();
      try {
        // The workers are paused while their sessions are cut and other clients take every free slot, then a
        // few slots are given back and the workers go on: they must share what is left (paused, they cannot
        // win the race for the slots their own sessions freed).
        fleet.pause(true);
        let terminated: number;
        try {
          terminated = await terminateWorkerSessions(admin, database);
          await fillServer(server, hogs);
          for (const hog of hogs.splice(0, phases.slotsLeft)) await hog.end();
        } finally {
          fleet.pause(false);
        }
        await sleep(phases.exhaustionS * 1000);
        return {
          startS,
          endS: timeline.now(),
          detail:
            `${hogs.length} of ${server.maxConnections} connections held for ${phases.exhaustionS} s, ` +
            `${phases.slotsLeft} left free, the workers' ${terminated} sessions cut once`,
        };
      } finally {
        await Promise.all(hogs.map((hog) => hog.end().catch(() => {})));
        await admin.end();
      }
    },
    check({ fleet }) {
      return fleet.waitingLines().length > 0
        ? undefined
        : 'no worker logged what it was waiting for while the server was full';
    },
  },
];
