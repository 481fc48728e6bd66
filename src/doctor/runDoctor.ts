import type pg from 'pg';
import { checkAutovacuum } from './checkAutovacuum.ts';
import { checkChromium } from './checkChromium.ts';
import { checkConnections } from './checkConnections.ts';
import { checkEndpoint } from './checkEndpoints.ts';
import { checkLlm } from './checkLlm.ts';
import { checkSchema } from './checkSchema.ts';
import { checkSources } from './checkSources.ts';
import { checkStatements } from './checkStatements.ts';
import type { Finding } from './finding.ts';

export interface DoctorOptions {
  /** undefined: the database could not be reached (`unreachable` says why); its checks are skipped. */
  pool: pg.Pool | undefined;
  unreachable?: string;
  llmBaseUrl: string | undefined;
  llmApiKey: string | undefined;
  /** Workers' metrics URLs and avt serve URLs whose /readyz to ask. */
  urls: string[];
  /** false: skip looking for Chromium (doctor run away from the workers' machines). */
  chromium: boolean;
}

/** Every check, in the order an operator reads them; a check that breaks is itself a finding. */
export async function runDoctor(options: DoctorOptions): Promise<Finding[]> {
  const { pool } = options;
  const checks: [string, () => Promise<Finding[]>][] = [];
  const findings: Finding[] = [];
  if (!pool) {
    findings.push({
      check: 'database',
      status: 'fail',
      message: `cannot reach the database: ${options.unreachable ?? 'unknown error'}`,
      fix: 'check DATABASE_URL and that PostgreSQL is up and accepts this role',
    });
  } else {
    const schema = await checkSchema(pool);
    findings.push(...schema);
    // The other database checks read the tracker's tables: on a database never migrated there are none.
    if (!schema.some((finding) => finding.status === 'fail')) {
      checks.push(
        ['connections', () => checkConnections(pool)],
        ['autovacuum', () => checkAutovacuum(pool)],
        ['sources', () => checkSources(pool)],
      );
    }
    checks.push(['statements', () => checkStatements(pool)]);
  }
  checks.push(['llm', () => checkLlm(options.llmBaseUrl, options.llmApiKey)]);
  if (options.chromium) checks.push(['chromium', () => checkChromium()]);
  for (const url of options.urls) checks.push(['endpoint', () => checkEndpoint(url)]);

  for (const [name, check] of checks) {
    try {
      findings.push(...(await check()));
    } catch (error) {
      const denied = (error as { code?: string }).code === '42501';
      findings.push({
        check: name,
        status: 'fail',
        message: `could not check: ${(error as Error).message}`,
        fix: denied
          ? 'run avt doctor as the database owner, or a role with pg_read_all_stats'
          : 'run it again; if it persists, report it with this line',
      });
    }
  }
  return findings;
}
