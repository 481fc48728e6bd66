import type pg from 'pg';
import { createDb } from '../db/kysely.ts';
import { listWorkers } from '../db/workers.ts';
import { isPausedNow, listQueueHealth } from '../operations/queueHealth.ts';
import type { Finding } from './finding.ts';

const CHECK = 'sources';

/** Each enabled source: paused, or runs waiting with no live worker to take them. */
export async function checkSources(pool: pg.Pool): Promise<Finding[]> {
  const db = createDb(pool);
  const [queue, workers] = await Promise.all([listQueueHealth(db), listWorkers(db)]);
  const enabled = queue.filter((source) => source.enabled);
  if (enabled.length === 0) {
    return [
      {
        check: CHECK,
        status: 'warn',
        message: 'no AI source is enabled: nothing will be asked',
        fix: "UPDATE ai_sources SET enabled = true WHERE name = 'chatgpt'",
      },
    ];
  }
  return enabled.map((source): Finding => {
    const name = source.ai_source;
    const live = workers.filter((worker) => worker.ai_source === name && worker.state === 'live').length;
    const counts = `${source.eligible} eligible, ${source.running} running, ${live} live worker(s)`;
    if (isPausedNow(source)) {
      const until = source.paused_until === 'infinity' ? 'resumed' : source.paused_until;
      return {
        check: CHECK,
        status: 'warn',
        message: `${name} is paused until ${until}${source.pause_reason ? ` (${source.pause_reason})` : ''}; ${counts}`,
        fix: `avt resume ${name}, once the cause is dealt with`,
      };
    }
    if (live === 0 && source.eligible > 0) {
      return {
        check: CHECK,
        status: 'warn',
        message: `${name}: ${source.eligible} runs eligible and no live worker to take them`,
        fix: `start one (worker --ai-source ${name}), or check the autoscaler (docs/deploy.md)`,
      };
    }
    if (live === 0) {
      return { check: CHECK, status: 'info', message: `${name}: no live worker, nothing eligible now` };
    }
    return { check: CHECK, status: 'ok', message: `${name}: ${counts}` };
  });
}
