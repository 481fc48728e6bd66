// The compose `roles` service, run as compose runs it (psql with its own arguments and deploy/compose/roles.sql
// where the service mounts it), gives each least-privilege role a login with its own password. Roles belong
// to the whole cluster, which other tests share: the run happens in a transaction that is rolled back.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { loadCompose, ROOT } from './composeFile.ts';

const hasPsql = (() => {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let t: TestDatabase;

describe('compose.yaml: the roles service', () => {
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  test('gives avt_worker, avt_api and avt_reader a login, each with its own password', {
    skip: !hasPsql,
  }, async () => {
    const service = loadCompose().services.roles;
    const [program, ...args] = service?.command ?? [];
    assert.equal(program, 'psql');
    // The file where the service mounts it: host path ./deploy/... → container path.
    const mounts = new Map(
      (service?.volumes ?? []).map((volume) => {
        const [host, container] = volume.split(':');
        return [container as string, `${ROOT}${(host as string).replace(/^\.\//, '')}`];
      }),
    );
    const withHostFiles = args.map((arg) =>
      arg.replace(/^--file=(.*)$/, (_, path) => `--file=${mounts.get(path)}`),
    );
    assert.ok(withHostFiles.some((arg) => arg.startsWith(`--file=${ROOT}deploy/compose/`)));
    const { stdout } = await promisify(execFile)('psql', [
      `--dbname=${t.url}`,
      '--no-align',
      '--tuples-only',
      '--command=BEGIN',
      ...withHostFiles,
      // By name: other test files' login roles (avt_worker_<pid>_...) come and go meanwhile.
      `--command=SELECT rolname, rolcanlogin, rolpassword FROM pg_authid WHERE rolname IN ('avt_worker', 'avt_api', 'avt_reader') ORDER BY 1`,
      '--command=ROLLBACK',
    ]);
    const rows = stdout
      .trim()
      .split('\n')
      .filter((line) => line.includes('|'))
      .map((line) => line.split('|'));
    assert.deepEqual(
      rows.map(([role, login]) => [role, login]),
      [
        ['avt_api', 't'],
        ['avt_reader', 't'],
        ['avt_worker', 't'],
      ],
    );
    const passwords = rows.map(([, , password]) => password);
    assert.ok(passwords.every((password) => password?.startsWith('SCRAM-SHA-256$')));
    assert.equal(new Set(passwords).size, 3);
  });
});
