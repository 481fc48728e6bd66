import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { sqlDir } from '../paths.ts';
import { UsageError } from '../usageError.ts';
import { readSqlRevision } from './sqlRevision.ts';

/** The tables partitioned by their answer's month, in the order a reload writes them. */
const MONTHLY_TABLES = ['responses', 'brand_mentions', 'citations', 'discovered_competitors'] as const;

export interface ArchivedTable {
  file: string;
  rows: number;
  sha256: string;
  columns: string[];
}

export interface ArchivedMonth {
  /** YYYY-MM */
  month: string;
  dir: string;
  tables: Record<(typeof MONTHLY_TABLES)[number], ArchivedTable>;
}

export interface ArchiveResult {
  months: ArchivedMonth[];
  /** With `drop`: the partitions (and default partitions' rows) dropped once the files were on disk. */
  dropped: string[];
}

/** `--before` as the first day of its month, or a UsageError that says what is expected. */
export function parseArchiveMonth(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value.trim());
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12) {
    throw new UsageError(`--before must be a month as YYYY-MM (e.g. 2026-01), got '${value}'`);
  }
  return `${match[1]}-${match[2]}-01`;
}

const monthName = (day: string) => day.slice(0, 7);
const partitionOf = (table: string, day: string) => `${table}_${day.slice(0, 7).replace('-', '_')}`;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Counts and hashes what passes through. */
function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The script that puts a month back with psql; see docs/numbers.md, "Old months". */
function loadScript(month: ArchivedMonth, day: string, revision: number): string {
  const counts = MONTHLY_TABLES.map((table) => `${month.tables[table].rows} ${table}`).join(', ');
  const lines = [
    `-- The answers of ${month.month} as \`avt archive\` wrote them (schema revision ${revision}): ${counts}.`,
    '-- Reload them into the database they came from, from this directory:',
    '--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f load.sql',
    "-- The rows go straight into the month's partitions (made first when missing), where the daily figures'",
    '-- triggers do not see them: the figures kept the month when it was dropped, and count it once.',
    `SELECT create_month_partitions('${day}');`,
    ...MONTHLY_TABLES.map((table) => {
      const { file, columns } = month.tables[table];
      return `\\copy ${partitionOf(table, day)} (${columns.join(', ')}) FROM PROGRAM 'gzip -dc ${file}' WITH (FORMAT csv, HEADER)`;
    }),
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes every month of answers before `before` (YYYY-MM-01) to `outDir/<YYYY-MM>/`: one gzipped CSV per
 * monthly table (responses, brand_mentions, citations, discovered_competitors), a manifest with row counts
 * and checksums, and load.sql, which reloads them with psql. All months come from one snapshot. With
 * `drop`, writers to those months wait while they are read, and the months are dropped in the same
 * transaction once every file is on disk (fsynced); the daily figures keep them.
 */
export async function archiveMonths(
  pool: pg.Pool,
  options: { before: string; outDir: string; drop: boolean; onMonth?: (month: ArchivedMonth) => void },
): Promise<ArchiveResult> {
  const { before, outDir } = options;
  const { rows: monthRows } = await pool.query<{ day: string }>(
    `SELECT to_char(m, 'YYYY-MM-DD') AS day FROM answer_months_before($1::date) m`,
    [before],
  );
  const days = monthRows.map((row) => row.day);
  if (days.length === 0) return { months: [], dropped: [] };

  await mkdir(outDir, { recursive: true });
  const existing = new Set(await readdir(outDir));
  const taken = days.map(monthName).filter((month) => existing.has(month));
  if (taken.length > 0) {
    throw new UsageError(
      `${join(outDir, taken[0] as string)} exists already: an archive is never overwritten; ` +
        'move it away or choose another --out',
    );
  }
  const { rows: columnRows } = await pool.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns
     FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE c.relname = ANY ($1::text[]) AND c.relnamespace = 'public'::regnamespace
       AND a.attnum > 0 AND NOT a.attisdropped
     GROUP BY c.relname`,
    [MONTHLY_TABLES],
  );
  const columnsOf = new Map(columnRows.map((row) => [row.table, row.columns]));
  const { rows: lockable } = await pool.query<{ name: string }>(
    'SELECT n AS name FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NOT NULL',
    [
      [
        ...days.flatMap((day) => MONTHLY_TABLES.map((table) => partitionOf(table, day))),
        ...MONTHLY_TABLES.map((t) => `${t}_default`),
      ],
    ],
  );
  const { revision } = await readSqlRevision(sqlDir);

  const client = await pool.connect();
  const written: string[] = [];
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    // Before the snapshot: no row can come or go in these months between reading them and dropping them.
    if (options.drop) {
      await client.query(`LOCK TABLE ${lockable.map((row) => quote(row.name)).join(', ')} IN SHARE MODE`);
    }
    const months: ArchivedMonth[] = [];
    for (const day of days) {
      const dir = join(outDir, monthName(day));
      const partial = `${dir}.partial`;
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial);
      written.push(partial);
      const tables = {} as ArchivedMonth['tables'];
      for (const table of MONTHLY_TABLES) {
        const columns = columnsOf.get(table) ?? [];
        const file = `${table}.csv.gz`;
        const hash = createHash('sha256');
        const copy = client.query(
          copyTo(
            `COPY (SELECT ${columns.map(quote).join(', ')} FROM ${table}
                   WHERE captured_at >= '${day}'::timestamp AT TIME ZONE 'UTC'
                     AND captured_at < ('${day}'::date + interval '1 month')::timestamp AT TIME ZONE 'UTC'
                   ORDER BY id)
             TO STDOUT WITH (FORMAT csv, HEADER)`,
          ),
        );
        await pipeline(copy, createGzip(), hashing(hash), createWriteStream(join(partial, file)));
        await syncPath(join(partial, file));
        tables[table] = { file, rows: copy.rowCount, sha256: hash.digest('hex'), columns };
      }
      const month: ArchivedMonth = { month: monthName(day), dir, tables };
      const manifest = {
        month: month.month,
        archived_at: new Date().toISOString(),
        schema_revision: revision,
        tables,
      };
      await writeFile(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeFile(join(partial, 'load.sql'), loadScript(month, day, revision));
      for (const name of ['manifest.json', 'load.sql']) await syncPath(join(partial, name));
      await syncPath(partial);
      await rename(partial, dir);
      written.pop();
      await syncPath(outDir);
      months.push(month);
      options.onMonth?.(month);
    }
    let dropped: string[] = [];
    if (options.drop) {
      const { rows } = await client.query<{ name: string }>('SELECT drop_months_before($1::date) AS name', [
        before,
      ]);
      dropped = rows.map((row) => row.name);
    }
    await client.query('COMMIT');
    return { months, dropped };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    for (const partial of written) await rm(partial, { recursive: true, force: true });
    throw error;
  } finally {
    client.release();
  }
}
