import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runProgram } from './cli.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' });
}

/**
 * Unpacks into `dir` the build just before `file` was added (HEAD while the file is not yet committed), with
 * this checkout's node_modules; returns the path of its bin/avt. What an upgrade test migrates from.
 */
async function unpackBuildBefore(file: string, dir: string): Promise<string> {
  const added = git(['log', '--diff-filter=A', '--format=%H', '--', file]).trim();
  const previous = added ? `${added}^` : 'HEAD';
  await writeFile(
    join(dir, 'build.tar'),
    execFileSync('git', ['archive', previous, 'bin', 'scripts', 'src', 'sql', 'migrations', 'package.json'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  execFileSync('tar', ['-xf', 'build.tar'], { cwd: dir });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'avt');
}

/**
 * For one upgrade test file: a database of its own that the build just before `migration` migrated, made in
 * before() and dropped (with the unpacked build) in after(). Returns a getter: the database exists once
 * before() has run.
 */
export function migratedByBuildBefore(migration: string): () => TestDatabase {
  let dir: string | undefined;
  let old: TestDatabase | undefined;
  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'avt-build-before-'));
      old = await createTestDatabase({ migrated: false });
      const avt = await unpackBuildBefore(migration, dir);
      const migrated = await runProgram(avt, ['migrate'], { DATABASE_URL: old.url });
      assert.equal(migrated.code, 0, migrated.stderr);
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await old?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!old)
      throw new Error('the database the build before migrated is made in before(): call this in a test');
    return old;
  };
}
