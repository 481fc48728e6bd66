import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Db } from '../db/kysely.ts';
import { ArtifactNotFoundError, InvalidInputError } from './errors.ts';

/**
 * The name of a file in an attempt's artifacts directory (src/browser/artifacts.ts writes screenshot.png,
 * page.html, trace.zip, url.txt, screenshot-error.txt): no separator, no leading dot, so never `..`.
 */
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The files of an artifacts directory, by name; none when it is gone (or on another machine). */
export async function listArtifactFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && ARTIFACT_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

export interface ArtifactFile {
  /** Its real path, inside the attempt's artifacts directory. */
  path: string;
  size: number;
}

/**
 * A file saved by a failed attempt of a run (the latest attempt with that number: a retried run counts
 * again from 1). Only a file directly inside that attempt's artifacts directory is handed out: a name
 * with a separator or `..` is refused, and so is a link that leads out of the directory.
 */
export async function findRunArtifact(
  db: Db,
  runId: number,
  attempt: number,
  file: string,
): Promise<ArtifactFile> {
  if (!ARTIFACT_NAME.test(file)) {
    throw new InvalidInputError(
      `file must be the name of a file in the attempt's artifacts directory, such as screenshot.png ` +
        `(letters, digits, '.', '_', '-'; no '/' and no leading '.'), got '${file.slice(0, 60)}'`,
    );
  }
  const row = await db
    .selectFrom('run_attempts')
    .select('artifacts_path')
    .where('run_id', '=', String(runId))
    .where('attempt', '=', attempt)
    .where('artifacts_path', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row?.artifacts_path) {
    throw new ArtifactNotFoundError(`run ${runId} has no attempt ${attempt} with saved artifacts`);
  }
  const missing = new ArtifactNotFoundError(`attempt ${attempt} of run ${runId} saved no file ${file}`);
  let path: string;
  let dir: string;
  try {
    [dir, path] = await Promise.all([realpath(row.artifacts_path), realpath(join(row.artifacts_path, file))]);
  } catch {
    throw missing;
  }
  if (dirname(path) !== dir) throw missing;
  const info = await stat(path);
  if (!info.isFile()) throw missing;
  return { path, size: info.size };
}
