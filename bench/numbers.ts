// The figures at a month's volume: fills a fresh database with N answers through the real write path
// (claim_next_prompts, then commit_prompt_run_results with mentions and citations, as workers do), then times
// the five questions an analyst asks most, on the views (the daily figures) and on their *_recomputed twins
// (the same definitions over the raw answers), and checks that both give the same rows.
//
//   node_modules/.bin/node bench/numbers.ts [--answers 1000000] [--days 30] [--loops 4] [--batch 50] [--explain]
//
// The data: bench/monthOfAnswers.ts.
import { parseArgs } from 'node:util';
import type pg from 'pg';
import {
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  positiveArg,
  reproduceCommand,
} from './lib.ts';
import { fillMonthOfAnswers } from './monthOfAnswers.ts';

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
const ANSWERS = positiveArg('answers', args.answers);
const DAYS = positiveArg('days', args.days);
const LOOPS = positiveArg('loops', args.loops);
const BATCH = positiveArg('batch', args.batch);

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
    const rate = await fillMonthOfAnswers(pool, { answers: ANSWERS, days: DAYS, loops: LOOPS, batch: BATCH });
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
