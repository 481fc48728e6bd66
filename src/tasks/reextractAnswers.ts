import type pg from 'pg';
import { createDb } from '../db/kysely.ts';
import { readAiSource } from '../db/sources.ts';
import { BrandCatalog } from '../extract/brandCatalog.ts';
import type { Extractor } from '../extract/extractor.ts';
import { compileDomainOwners } from '../extract/rules/domainOwners.ts';
import type { TrackedBrand } from '../extract/types.ts';
import { discoveredJson, mentionJson } from '../queue/commitResult.ts';

/** Which stored answers to read again. Days are UTC; `until` is the last day included. */
export interface ReextractFilters {
  since: string;
  until: string | null;
  aiSource: string | null;
  /** Only answers whose text names this tracked brand, by its name or an alias (a brand just added). */
  brand: string | null;
}

export interface ReextractProgress {
  /** The run (a row of `reextractions`); a resumed run keeps its id and counts. */
  runId: string;
  /** Answers matching the filters, in all. */
  total: number;
  examined: number;
  changed: number;
  resumed: boolean;
  finished: boolean;
}

export interface ReextractOptions {
  batchSize: number;
  /** Stop (resumably) once this much time has passed; the run is continued by the next call. */
  timeLimitMs?: number;
  /** Stop (resumably) after the current batch. */
  signal?: AbortSignal;
  onBatch?: (progress: ReextractProgress) => void;
}

/** The filters are not usable: a bad date, an unknown source or brand. */
export class ReextractFilterError extends Error {
  override name = 'ReextractFilterError';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads stored answers again with the current brand list, in id order, a batch at a time: the rule
 * extractor (and the LLM when the extractor has one) gives their mentions, the brands' domains their
 * citations' owners; each batch is applied in one transaction with the run's cursor, so a run stopped at any
 * point resumes where it was (`reextractions`), applying nothing twice. Answers whose figures do not change
 * are not written. The daily figures follow by their triggers.
 */
export async function reextractAnswers(
  pool: pg.Pool,
  extractor: Extractor,
  filters: ReextractFilters,
  options: ReextractOptions,
): Promise<ReextractProgress> {
  for (const [name, day] of [
    ['since', filters.since],
    ['until', filters.until],
  ] as const) {
    if (day !== null && (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))) {
      throw new ReextractFilterError(`--${name} must be a day as YYYY-MM-DD, got '${day}'`);
    }
  }
  const brands = await new BrandCatalog(pool).get();
  const terms = await brandTerms(pool, filters, brands);
  await checkSource(pool, filters.aiSource);
  const owners = compileDomainOwners(brands);
  const key = JSON.stringify({
    since: filters.since,
    until: filters.until,
    ai_source: filters.aiSource,
    brand: filters.brand,
  });
  const run = await startOrResume(pool, key);
  // One process applies a run at a time; the lock goes with this session.
  const client = await pool.connect();
  try {
    const { rows: locked } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(7370003, $1::integer) AS locked',
      [run.id],
    );
    if (!locked[0]?.locked) {
      throw new ReextractFilterError(
        `reextraction run ${run.id} with these filters is being applied by another process; wait for it`,
      );
    }
    try {
      return await applyRun(pool, client, extractor, run, owners, filters, terms, options);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7370003, $1::integer)', [run.id]);
    }
  } finally {
    client.release();
  }
}

async function applyRun(
  pool: pg.Pool,
  client: pg.PoolClient,
  extractor: Extractor,
  run: StartedRun,
  owners: ReturnType<typeof compileDomainOwners>,
  filters: ReextractFilters,
  terms: string[] | null,
  options: ReextractOptions,
): Promise<ReextractProgress> {
  // UTC days, whatever the session's time zone.
  const where = `r.captured_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
                 AND ($2::date IS NULL OR r.captured_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC')
                 AND ($3::text IS NULL OR r.ai_source = $3)
                 AND ($4::text[] IS NULL OR r.answer_text ILIKE ANY ($4))`;
  const params = [filters.since, filters.until, filters.aiSource, terms];
  const { rows: counted } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM responses r WHERE ${where}`,
    params,
  );
  const progress: ReextractProgress = {
    runId: run.id,
    total: Number(counted[0]?.n ?? 0),
    examined: Number(run.examined),
    changed: Number(run.changed),
    resumed: run.resumed,
    finished: false,
  };
  let afterId = run.after_id;
  const started = Date.now();
  for (;;) {
    if (options.signal?.aborted) break;
    if (options.timeLimitMs !== undefined && Date.now() - started > options.timeLimitMs) break;
    const { rows: answers } = await pool.query<StoredAnswer>(
      `SELECT r.id::text, r.captured_at, r.answer_text, r.answer_html FROM responses r
       WHERE ${where} AND r.id > $5 ORDER BY r.id LIMIT $6`,
      [...params, afterId, options.batchSize],
    );
    if (answers.length === 0) {
      await pool.query('UPDATE reextractions SET finished_at = now() WHERE id = $1', [run.id]);
      progress.finished = true;
      options.onBatch?.(progress);
      break;
    }
    const { rows: citations } = await pool.query<{
      id: string;
      response_id: string;
      url: string;
      title: string | null;
      domain: string;
    }>(
      'SELECT id::text, response_id::text, url, title, domain FROM citations WHERE response_id = ANY ($1) ORDER BY position, id',
      [answers.map((answer) => answer.id)],
    );
    const linksOf = Map.groupBy(citations, (c) => c.response_id);
    // Extracted together: the LLM batcher puts the batch's answers in as few requests as it can.
    const extracted = await Promise.all(
      answers.map((answer) => {
        const links = linksOf.get(answer.id) ?? [];
        return extractor
          .extract({ text: answer.answer_text, html: answer.answer_html, links }, options.signal)
          .then((outcome) => ({ answer, outcome, links }));
      }),
    );
    const lastId = answers[answers.length - 1]?.id as string;
    let changed = 0;
    try {
      await client.query('BEGIN');
      for (const { answer, outcome, links } of extracted) {
        const { rows } = await client.query<{ changed: boolean }>(
          'SELECT reextract_response($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6) AS changed',
          [
            answer.id,
            answer.captured_at,
            JSON.stringify(outcome.mentions.map(mentionJson)),
            JSON.stringify(links.map((link) => ({ id: link.id, brand_id: owners(link.domain)?.id ?? null }))),
            outcome.method === 'llm' ? JSON.stringify(outcome.discovered.map(discoveredJson)) : null,
            outcome.method,
          ],
        );
        if (rows[0]?.changed) changed += 1;
      }
      await client.query(
        `UPDATE reextractions SET after_id = $2, examined = examined + $3, changed = changed + $4 WHERE id = $1`,
        [run.id, lastId, answers.length, changed],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    afterId = lastId;
    progress.examined += answers.length;
    progress.changed += changed;
    options.onBatch?.(progress);
  }
  return progress;
}

interface StoredAnswer {
  id: string;
  captured_at: Date;
  answer_text: string;
  answer_html: string | null;
}

/** ILIKE patterns for `--brand`: its name and aliases anywhere in the text; null without --brand. */
async function brandTerms(
  pool: pg.Pool,
  filters: ReextractFilters,
  brands: readonly TrackedBrand[],
): Promise<string[] | null> {
  if (filters.brand === null) return null;
  const brand = brands.find((b) => b.name.toLowerCase() === filters.brand?.toLowerCase());
  if (!brand) {
    const { rows } = await pool.query<{ names: string }>(
      "SELECT string_agg(name, ', ' ORDER BY name) AS names FROM brands",
    );
    throw new ReextractFilterError(
      `no tracked brand '${filters.brand}'; tracked: ${rows[0]?.names ?? 'none'} (add it to brands first)`,
    );
  }
  return [brand.name, ...brand.aliases].map((term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

async function checkSource(pool: pg.Pool, aiSource: string | null): Promise<void> {
  if (aiSource === null) return;
  const source = await readAiSource(createDb(pool), aiSource);
  if (!source.found) {
    throw new ReextractFilterError(
      `unknown AI source '${aiSource}'; known sources: ${source.known.join(', ')}`,
    );
  }
}

interface StartedRun {
  id: string;
  after_id: string;
  examined: string;
  changed: string;
  resumed: boolean;
}

/** The unfinished run with these filters, or a new one. */
async function startOrResume(pool: pg.Pool, key: string): Promise<StartedRun> {
  const { rows } = await pool.query<{ id: string; after_id: string; examined: string; changed: string }>(
    `SELECT id::text, after_id::text, examined::text, changed::text FROM reextractions
     WHERE filters = $1::jsonb AND finished_at IS NULL ORDER BY id DESC LIMIT 1`,
    [key],
  );
  const found = rows[0];
  if (found) return { ...found, resumed: true };
  const { rows: created } = await pool.query<{
    id: string;
    after_id: string;
    examined: string;
    changed: string;
  }>(
    `INSERT INTO reextractions (filters) VALUES ($1::jsonb) RETURNING id::text, after_id::text, examined::text, changed::text`,
    [key],
  );
  return {
    ...(created[0] as { id: string; after_id: string; examined: string; changed: string }),
    resumed: false,
  };
}
