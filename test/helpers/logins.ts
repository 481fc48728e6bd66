// The least-privilege roles as a test uses them (migrations/0011_roles.sql): roles are cluster-wide and test
// files run in parallel, so a process connects through a LOGIN role of the test's own, a member of the role
// under test, dropped at the end.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { commitResult } from '../../src/queue/commitResult.ts';
import type { TestDatabase } from './db.ts';
import { addPrompts, claim } from './queue.ts';

export type Role = 'avt_worker' | 'avt_api' | 'avt_reader';

/** What an operator gives a process: a LOGIN role in `role`, and the database URL that connects as it. */
export interface Login {
  name: string;
  url: string;
  pool: pg.Pool;
}

export async function createLogin(t: TestDatabase, role: Role): Promise<Login> {
  const name = `${role}_${process.pid}_${randomBytes(3).toString('hex')}`;
  // A password, for servers that ask for one (the embedded server does; trust auth ignores it).
  const password = randomBytes(12).toString('hex');
  await t.pool.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' IN ROLE ${role}`);
  const url = new URL(t.url);
  url.username = name;
  url.password = password;
  return { name, url: url.toString(), pool: new pg.Pool({ connectionString: url.toString(), max: 2 }) };
}

/** Closes the logins' pools and drops them. */
export async function dropLogins(t: TestDatabase, logins: Login[]): Promise<void> {
  for (const login of logins) {
    await login.pool.end();
    await t.pool.query(`DROP ROLE ${login.name}`);
  }
}

/** Each statement fails with insufficient_privilege. */
export async function refused(pool: pg.Pool, statements: string[]): Promise<void> {
  for (const statement of statements) {
    await assert.rejects(
      pool.query(statement),
      (error: { code?: string; message: string }) => {
        assert.equal(error.code, '42501', `${statement}: ${error.message}`);
        return true;
      },
      `${statement} was allowed`,
    );
  }
}

/**
 * An answer committed by the owner, on chatgpt: one mention of the tracked brand HubSpot, one citation of its
 * domain, one newcomer.
 */
export async function commitAnswer(t: TestDatabase, capturedAt = new Date()): Promise<void> {
  // The highest priority: its run is claimed before any other queued.
  const [promptId] = await addPrompts(
    t.pool,
    [`Which CRM? ${randomBytes(3).toString('hex')}`],
    2_147_483_647,
  );
  const run = await claim(t.pool);
  assert.equal(run?.promptId, promptId);
  assert.ok(run);
  const { rows } = await t.pool.query<{ id: string }>(`SELECT id::text FROM brands WHERE name = 'HubSpot'`);
  await commitResult(t.pool, run, {
    response: { answerText: 'HubSpot is a fine CRM.', capturedAt },
    mentions: [{ brandId: rows[0]?.id ?? null, brandName: 'HubSpot', position: 1, mentionCount: 1 }],
    citations: [{ position: 1, url: 'https://hubspot.com/crm', domain: 'hubspot.com', brandId: rows[0]?.id }],
    discovered: [{ name: 'Newco' }],
  });
}
