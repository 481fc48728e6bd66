import type pg from 'pg';
import type { Finding } from './finding.ts';
import { doctorSql } from './queries.ts';

const CHECK = 'sources';

interface SourceState {
  ai_source: string;
  enabled: boolean;
  paused: boolean | null;
  paused_until: Date | null;
  pause_reason: string | null;
  eligible: number;
  running: number;
  live_workers: number;
}

/** Each enabled source: paused, or runs waiting with no live worker to take them. */
export async function checkSources(pool: pg.Pool): Promise<Finding[]> {
  const { rows } = await pool.query<SourceState>(doctorSql('sources'));
  const enabled = rows.filter((source) => source.enabled);
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
    const queue = `${source.eligible} eligible, ${source.running} running, ${source.live_workers} live worker(s)`;
    if (source.paused) {
      return {
        check: CHECK,
        status: 'warn',
        message: `${name} is paused until ${source.paused_until?.toISOString()}${source.pause_reason ? ` (${source.pause_reason})` : ''}; ${queue}`,
        fix: `avt resume ${name}, once the cause is dealt with`,
      };
    }
    if (source.live_workers === 0 && source.eligible > 0) {
      return {
        check: CHECK,
        status: 'warn',
        message: `${name}: ${source.eligible} runs eligible and no live worker to take them`,
        fix: `start one (worker --ai-source ${name}), or check the autoscaler (docs/deploy.md)`,
      };
    }
    if (source.live_workers === 0) {
      return { check: CHECK, status: 'info', message: `${name}: no live worker, nothing eligible now` };
    }
    return { check: CHECK, status: 'ok', message: `${name}: ${queue}` };
  });
}
