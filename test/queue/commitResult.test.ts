import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type pg from 'pg';
import { type ClaimedRun, commitResult, LeaseLostError, type RunResult } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, claim, onlySources, runSnapshot } from '../helpers/queue.ts';

let t: TestDatabase;
let acme: string;
let globex: string;
before(async () => {
  t = await createTestDatabase();
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO brands (name, domains, is_own) VALUES ('Acme', '{acme.com}', true), ('Globex', '{globex.com}', false)
     RETURNING id`,
  );
  [acme, globex] = rows.map((r) => r.id) as [string, string];
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses, brand_mentions, citations');
  await onlySources(t.pool, 'chatgpt');
});

async function claimOne(): Promise<ClaimedRun> {
  await addPrompts(t.pool, ['best CRM for a small team?']);
  const run = await claim(t.pool, { workerTag: 'commit-test' });
  assert.ok(run, 'nothing to claim');
  return run;
}

function fullResult(): RunResult {
  return {
    response: {
      answerText: 'Acme is the best choice; Globex is fine too. Acme wins on price.',
      answerHtml: '<p>Acme is the best choice; Globex is fine too.</p>',
      model: 'gpt-4o',
      captureMode: 'api',
      capturedAt: new Date(),
      durationMs: 1234,
      extractionMethod: 'llm',
    },
    mentions: [
      {
        brandId: acme,
        brandName: 'Acme',
        position: 1,
        mentionCount: 2,
        sentiment: 'positive',
        recommended: true,
        snippet: 'Acme is the best choice',
      },
      { brandId: globex, brandName: 'Globex', position: 2, mentionCount: 1, sentiment: 'neutral' },
    ],
    citations: [
      { position: 1, url: 'https://acme.com/pricing', domain: 'acme.com', title: 'Pricing', brandId: acme },
      {
        position: 2,
        url: 'https://review.example/crm#:~:text=Acme%20wins',
        domain: 'review.example',
        quote: 'Acme wins',
      },
    ],
  };
}

async function totals(): Promise<{ responses: number; mentions: number; citations: number }> {
  const { rows } = await t.pool.query(
    `SELECT (SELECT count(*)::int FROM responses) AS responses,
            (SELECT count(*)::int FROM brand_mentions) AS mentions,
            (SELECT count(*)::int FROM citations) AS citations`,
  );
  return rows[0];
}

describe('commitResult', () => {
  test('writes the response, mentions and citations and marks the run done, in one transaction', async () => {
    const run = await claimOne();
    const result = fullResult();
    const responseId = await commitResult(t.pool, run, result);

    const { rows: responses } = await t.pool.query(
      `SELECT id, run_id, prompt_id, ai_source, capture_mode, answer_text, answer_html, model, captured_at,
              duration_ms, extraction_method
       FROM responses`,
    );
    assert.deepEqual(responses, [
      {
        id: responseId,
        run_id: run.runId,
        prompt_id: run.promptId,
        ai_source: 'chatgpt',
        capture_mode: 'api',
        answer_text: result.response.answerText,
        answer_html: result.response.answerHtml,
        model: 'gpt-4o',
        captured_at: result.response.capturedAt,
        duration_ms: 1234,
        extraction_method: 'llm',
      },
    ]);
    const { rows: mentions } = await t.pool.query(
      `SELECT response_id, brand_id, brand_name, position, mention_count, sentiment, recommended, snippet
       FROM brand_mentions ORDER BY position`,
    );
    assert.deepEqual(mentions, [
      {
        response_id: responseId,
        brand_id: acme,
        brand_name: 'Acme',
        position: 1,
        mention_count: 2,
        sentiment: 'positive',
        recommended: true,
        snippet: 'Acme is the best choice',
      },
      {
        response_id: responseId,
        brand_id: globex,
        brand_name: 'Globex',
        position: 2,
        mention_count: 1,
        sentiment: 'neutral',
        recommended: null,
        snippet: null,
      },
    ]);
    const { rows: citations } = await t.pool.query(
      'SELECT response_id, position, url, domain, title, brand_id, quote FROM citations ORDER BY position',
    );
    assert.deepEqual(citations, [
      {
        response_id: responseId,
        position: 1,
        url: 'https://acme.com/pricing',
        domain: 'acme.com',
        title: 'Pricing',
        brand_id: acme,
        quote: null,
      },
      {
        response_id: responseId,
        position: 2,
        url: 'https://review.example/crm#:~:text=Acme%20wins',
        domain: 'review.example',
        title: null,
        brand_id: null,
        quote: 'Acme wins',
      },
    ]);
    const { rows: state } = await t.pool.query(
      `SELECT r.status, r.lease_token, r.locked_until, a.outcome, a.finished_at IS NOT NULL AS finished
       FROM prompt_runs r JOIN run_attempts a ON a.run_id = r.id WHERE r.id = $1`,
      [run.runId],
    );
    assert.deepEqual(state, [
      { status: 'done', lease_token: null, locked_until: null, outcome: 'done', finished: true },
    ]);

    // Every row written carries the id of the transaction that wrote it: there must be exactly one.
    const { rows: xids } = await t.pool.query<{ xid: string }>(
      `SELECT DISTINCT xid FROM (
         SELECT xmin::text AS xid FROM responses
         UNION ALL SELECT xmin::text FROM brand_mentions
         UNION ALL SELECT xmin::text FROM citations
         UNION ALL SELECT xmin::text FROM prompt_runs WHERE id = $1
         UNION ALL SELECT xmin::text FROM run_attempts WHERE run_id = $1
       ) AS x`,
      [run.runId],
    );
    assert.equal(xids.length, 1, `written by ${xids.length} transactions`);
  });

  const breakers: [string, (r: RunResult) => void][] = [
    [
      'the response (negative duration)',
      (r) => {
        r.response.durationMs = -1;
      },
    ],
    [
      'a mention (position 0)',
      (r) => {
        (r.mentions[1] as RunResult['mentions'][number]).position = 0;
      },
    ],
    [
      'a citation (position 0, the last insert)',
      (r) => {
        (r.citations[1] as RunResult['citations'][number]).position = 0;
      },
    ],
  ];
  for (const [what, breakIt] of breakers) {
    test(`when ${what} violates a CHECK, nothing is written and the run keeps its lease`, async () => {
      const run = await claimOne();
      const before = await runSnapshot(t.pool, run.runId);
      const bad = fullResult();
      breakIt(bad);
      await assert.rejects(commitResult(t.pool, run, bad), (error: pg.DatabaseError) => {
        assert.equal(error.code, '23514', error.message);
        return true;
      });
      assert.deepEqual(await totals(), { responses: 0, mentions: 0, citations: 0 });
      assert.equal(await runSnapshot(t.pool, run.runId), before, 'the run changed');

      await commitResult(t.pool, run, fullResult());
      assert.deepEqual(await totals(), { responses: 1, mentions: 2, citations: 2 });
    });
  }

  test('commit_prompt_run_result, the one-run SQL form: a response id while the lease holds, then NULL', async () => {
    const run = await claimOne();
    const commit = () =>
      t.pool.query<{ id: string | null }>(
        `SELECT commit_prompt_run_result($1, $2, '{"answer_text": "by hand"}', '[]', '[]') AS id`,
        [run.runId, run.leaseToken],
      );
    const first = await commit();
    assert.match(first.rows[0]?.id ?? '', /^\d+$/);
    const again = await commit();
    assert.equal(again.rows[0]?.id, null);
    assert.deepEqual(await totals(), { responses: 1, mentions: 0, citations: 0 });
  });

  test('a commit after the run was completed throws LeaseLostError and leaves exactly one response', async () => {
    const run = await claimOne();
    await commitResult(t.pool, run, fullResult());
    await assert.rejects(
      commitResult(t.pool, run, fullResult()),
      (error) => error instanceof LeaseLostError && error.runId === run.runId,
    );
    assert.deepEqual(await totals(), { responses: 1, mentions: 2, citations: 2 });
  });

  test('two commits racing on the same lease: one wins, the other gets LeaseLostError', async () => {
    const run = await claimOne();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => commitResult(t.pool, run, fullResult())),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) {
      if (o.status === 'rejected') assert.ok(o.reason instanceof LeaseLostError, String(o.reason));
    }
    assert.deepEqual(await totals(), { responses: 1, mentions: 2, citations: 2 });
  });
});
