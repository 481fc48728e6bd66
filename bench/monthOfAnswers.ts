// A month of answers for the benches that read them (numbers, serve): a fresh database filled through the
// real write path (claim_next_prompts, then commit_prompt_run_results with mentions and citations, as
// workers do). Shape: 6 sources, 3 categories, 8 tracked brands with their domains (the 3rd is your own),
// 300 other cited domains, about 3 mentions and 5 citations per answer, spread evenly over the last `days`.
import type pg from 'pg';
import { createRng } from '../src/mock/prng.ts';
import { type ClaimedRun, claimNextPrompts, commitResults, type RunResult } from '../src/queue/index.ts';

export interface MonthOfAnswers {
  answers: number;
  days: number;
  /** Claim-and-commit loops at once. */
  loops: number;
  /** Runs per claim and per commit statement. */
  batch: number;
}

export const SOURCES = ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot', 'google_ai_overview'];
export const BRANDS = [
  'HubSpot',
  'Salesforce',
  'Pipedrive',
  'Zoho CRM',
  'Monday.com',
  'Freshsales',
  'Close',
  'Copper',
];
const OTHER_DOMAINS = Array.from({ length: 300 }, (_, i) => `site${i}.example`);
const SENTIMENTS = ['positive', 'neutral', 'negative', null] as const;

async function setUp(
  pool: pg.Pool,
  ANSWERS: number,
): Promise<{ brandIds: string[]; brandDomains: string[] }> {
  await pool.query(
    `UPDATE ai_sources SET enabled = name = ANY ($1), max_concurrency = NULL, min_interval_ms = 0`,
    [SOURCES],
  );
  await pool.query(`INSERT INTO categories (name) VALUES ('CRM'), ('Email'), ('Help desk')`);
  const brandDomains = BRANDS.map((name) => `${name.toLowerCase().replace(/[^a-z]/g, '')}.com`);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO brands (name, domains, is_own)
     SELECT b.name, ARRAY[b.domain], b.n = 3
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS b (name, domain, n)
     ORDER BY b.n RETURNING id::text`,
    [BRANDS, brandDomains],
  );
  // Inactive prompts: their runs are the bench's own, inserted below, not a tracking round's.
  await pool.query(
    `INSERT INTO prompts (text, category_id, active)
     SELECT 'question ' || i, (SELECT id FROM categories ORDER BY id OFFSET i % 3 LIMIT 1), false
     FROM generate_series(1, 30) AS i`,
  );
  await pool.query('DELETE FROM prompt_runs');
  // One run per answer, by direct insert (the public way to re-run a prompt on one source), in chunks.
  for (let done = 0; done < ANSWERS; done += 100_000) {
    await pool.query(
      `INSERT INTO prompt_runs (prompt_id, ai_source, round, sample)
       SELECT p.id, s.name, 1, 1000 + g.i
       FROM generate_series($1::integer, $2::integer) AS g (i)
       CROSS JOIN LATERAL (SELECT id FROM prompts ORDER BY id OFFSET g.i % 30 LIMIT 1) p
       CROSS JOIN LATERAL (SELECT ($3::text[])[1 + g.i % 6] AS name) s`,
      [done, Math.min(ANSWERS, done + 100_000) - 1, SOURCES],
    );
  }
  return { brandIds: rows.map((row) => row.id), brandDomains };
}

/** Claims and commits every run, `LOOPS` loops at a time, each batch in one statement as a worker's slots do. */
async function fill(
  pool: pg.Pool,
  shape: MonthOfAnswers,
  brandIds: string[],
  brandDomains: string[],
): Promise<number> {
  const { answers: ANSWERS, days: DAYS, loops: LOOPS, batch: BATCH } = shape;
  const rng = createRng(42);
  const now = Date.now();
  const result = (): RunResult => {
    const brands = rng.shuffle(brandIds.map((id, i) => ({ id, i }))).slice(0, rng.int(1, 5));
    const citations = Array.from({ length: rng.int(3, 7) }, (_, position) => {
      const owned = rng.chance(0.3) ? rng.pick(brands) : undefined;
      const domain = owned
        ? (brandDomains[owned.i] as string)
        : rng.pick(OTHER_DOMAINS.slice(0, rng.int(20, 300)));
      return {
        position: position + 1,
        url: `https://${domain}/${rng.int(1, 50)}`,
        domain,
        brandId: owned?.id ?? null,
      };
    });
    return {
      response: {
        answerText: 'an answer',
        capturedAt: new Date(now - rng.next() * DAYS * 86_400_000),
        extractionMethod: 'rules',
      },
      mentions: brands.map((brand, index) => ({
        brandId: brand.id,
        brandName: BRANDS[brand.i] as string,
        position: index + 1,
        mentionCount: rng.int(1, 3),
        sentiment: rng.pick(SENTIMENTS),
        recommended: rng.chance(0.4),
      })),
      citations,
    };
  };
  let committed = 0;
  const started = performance.now();
  let lastReport = started;
  await Promise.all(
    Array.from({ length: LOOPS }, async (_, loop) => {
      let source = loop % SOURCES.length;
      let emptyInARow = 0;
      while (emptyInARow < SOURCES.length) {
        const params = { workerId: loop, aiSource: SOURCES[source] as string, workerTag: `bench-${loop}` };
        const runs: ClaimedRun[] = await claimNextPrompts(pool, params, BATCH);
        if (runs.length === 0) {
          emptyInARow += 1;
          source = (source + 1) % SOURCES.length;
          continue;
        }
        emptyInARow = 0;
        await commitResults(
          pool,
          runs.map((run) => ({ run, result: result() })),
        );
        committed += runs.length;
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          const rate = committed / ((lastReport - started) / 1000);
          console.error(`  ${committed} of ${ANSWERS} answers committed, ${rate.toFixed(0)}/s`);
        }
      }
    }),
  );
  return committed / ((performance.now() - started) / 1000);
}

/**
 * Fills `pool`'s (migrated, empty) database with `shape.answers` answers, compacts the daily figures and
 * analyzes, as the maintenance task and autovacuum would have by then; returns the answers written per second.
 */
export async function fillMonthOfAnswers(pool: pg.Pool, shape: MonthOfAnswers): Promise<number> {
  const { brandIds, brandDomains } = await setUp(pool, shape.answers);
  console.error(
    `filling ${shape.answers} answers over ${shape.days} days through claim and commit (${shape.loops} loops)`,
  );
  const rate = await fill(pool, shape, brandIds, brandDomains);
  await pool.query('SELECT compact_daily_figures()');
  await pool.query('VACUUM ANALYZE');
  return rate;
}
