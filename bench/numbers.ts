// The figures at a month's volume: fills a fresh database with N answers through the real write path
// (claim_next_prompts, then commit_prompt_run_results with mentions and citations, as workers do), then times
// the five questions an analyst asks most, on the views (the daily figures) and on their *_recomputed twins
// (the same definitions over the raw answers), and checks that both give the same rows.
//
//   node_modules/.bin/node bench/numbers.ts [--answers 1000000] [--days 30] [--loops 4] [--batch 50] [--explain]
//
// Shape of the data: 6 sources, 3 categories, 8 tracked brands with their domains, 300 other cited domains,
// about 3 mentions and 5 citations per answer, answers spread evenly over the last --days days.
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { createRng } from '../src/mock/prng.ts';
import { type ClaimedRun, claimNextPrompts, commitResults, type RunResult } from '../src/queue/index.ts';
import {
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  reproduceCommand,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    answers: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '30' },
    loops: { type: 'string', default: '4' },
    batch: { type: 'string', default: '50' },
    explain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
};
const ANSWERS = positive('answers', args.answers);
const DAYS = positive('days', args.days);
const LOOPS = positive('loops', args.loops);
const BATCH = positive('batch', args.batch);

const SOURCES = ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot', 'google_ai_overview'];
const BRANDS = [
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

/** The five questions, as an analyst or a dashboard would ask them. */
const QUESTIONS: { name: string; sql: (view: (name: string) => string) => string }[] = [
  {
    name: 'brand_visibility, one source, last 30 days',
    sql: (v) =>
      `SELECT * FROM ${v('brand_visibility')} WHERE ai_source = 'chatgpt' AND day > current_date - 30
       ORDER BY day, capture_mode, category, brand_id`,
  },
  {
    name: 'own brand, all sources, last 7 days, summed',
    sql: (v) =>
      `SELECT brand, sum(mentioned) AS mentioned, sum(answers) AS answers,
              round(sum(mentioned)::numeric / sum(answers), 4) AS mention_rate
       FROM ${v('brand_visibility')} WHERE is_own AND day > current_date - 7 GROUP BY brand ORDER BY brand`,
  },
  {
    name: 'brand_visibility, everything, last 30 days',
    sql: (v) =>
      `SELECT * FROM ${v('brand_visibility')} WHERE day > current_date - 30
       ORDER BY day, ai_source, capture_mode, category, brand_id`,
  },
  {
    name: 'citation_domains, top 20 domains, last 30 days',
    sql: (v) =>
      `SELECT domain, sum(citations) AS citations, sum(answers_citing) AS answers_citing
       FROM ${v('citation_domains')} WHERE day > current_date - 30
       GROUP BY domain ORDER BY citations DESC, domain LIMIT 20`,
  },
  {
    name: 'brand_citations, one source, last 30 days',
    sql: (v) =>
      `SELECT * FROM ${v('brand_citations')} WHERE ai_source = 'chatgpt' AND day > current_date - 30
       ORDER BY day, capture_mode, brand_id`,
  },
];

async function setUp(pool: pg.Pool): Promise<{ brandIds: string[]; brandDomains: string[] }> {
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
async function fill(pool: pg.Pool, brandIds: string[], brandDomains: string[]): Promise<number> {
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

async function timeQuery(pool: pg.Pool, sql: string, runs: number): Promise<{ ms: number; rows: unknown[] }> {
  let best = Number.POSITIVE_INFINITY;
  let rows: unknown[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    rows = (await pool.query(sql)).rows;
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, rows };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase('numbers', { migrated: true });
  const pool = benchPool(database.url, LOOPS + 1, 'avt-bench-numbers');
  try {
    const { brandIds, brandDomains } = await setUp(pool);
    console.error(`filling ${ANSWERS} answers over ${DAYS} days through claim and commit (${LOOPS} loops)`);
    const rate = await fill(pool, brandIds, brandDomains);
    // What the maintenance task does every minute, and what autovacuum would have done by now.
    await pool.query('SELECT compact_daily_figures()');
    await pool.query('VACUUM ANALYZE');
    const { rows: sizes } = await pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM responses) AS answers, (SELECT count(*) FROM brand_mentions) AS mentions,
              (SELECT count(*) FROM citations) AS citations,
              (SELECT count(*) FROM daily_answers) + (SELECT count(*) FROM daily_brand_mentions)
              + (SELECT count(*) FROM daily_cited_domains) + (SELECT count(*) FROM daily_brand_citations)
                AS daily_rows`,
    );

    const table: string[][] = [];
    for (const question of QUESTIONS) {
      const figuresSql = question.sql((name) => name);
      const rawSql = question.sql((name) => `${name}_recomputed`);
      const figures = await timeQuery(pool, figuresSql, 4); // one warm-up, then best of three
      const raw = await timeQuery(pool, rawSql, 2);
      const same = JSON.stringify(figures.rows) === JSON.stringify(raw.rows);
      table.push([
        question.name,
        String(figures.rows.length),
        figures.ms.toFixed(1),
        raw.ms.toFixed(0),
        `${(raw.ms / figures.ms).toFixed(0)}x`,
        same ? 'same rows' : 'DIFFERENT',
      ]);
      if (!same) process.exitCode = 1;
      if (args.explain) {
        const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${figuresSql}`);
        console.log(`\n${question.name}:\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
      }
    }
    const size = sizes[0] ?? {};
    console.log(
      `\n${size.answers} answers (${size.mentions} mentions, ${size.citations} citations) over ${DAYS} days, ` +
        `written at ${rate.toFixed(0)} answers/s; ${size.daily_rows} rows of daily figures after compaction\n`,
    );
    console.log(formatTable(['question', 'rows', 'views ms', 'recomputed ms', 'ratio', 'check'], table));
    console.log(`\nBest of three after one warm-up (the recomputation: best of two). ${loadLine()}.`);
    console.log(
      `Reproduce: ${reproduceCommand(import.meta.url, { answers: ANSWERS, days: DAYS, loops: LOOPS, batch: BATCH })}`,
    );
  } finally {
    await pool.end();
    if (!args.keep) await database.drop();
    else console.log(`kept the database: ${database.url}`);
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await dropAllBenchDatabases();
  process.exit(1);
});
