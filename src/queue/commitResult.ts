import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from '../job/claimedRun.ts';
import type { BrandMention, DiscoveredCompetitor, RunResult } from '../job/result.ts';
import { LeaseLostError } from './errors.ts';

/** One run's result, as commitResults takes it. */
export interface RunCommit {
  run: Pick<ClaimedRun, 'runId' | 'leaseToken'>;
  result: RunResult;
}

/**
 * Writes the run's response, mentions, citations and discovered competitors (and enqueues `reextract` when
 * the result asks for it) and marks the run done, in one statement and so one
 * transaction (sql/045_commit_prompt_run_result.sql). The lease is checked first: if it no longer holds,
 * nothing is written and LeaseLostError is thrown. Returns the new response id.
 */
export async function commitResult(
  db: Queryable,
  run: Pick<ClaimedRun, 'runId' | 'leaseToken'>,
  result: RunResult,
): Promise<string> {
  const [responseId] = await commitResults(db, [{ run, result }]);
  if (!responseId) throw new LeaseLostError(run.runId);
  return responseId;
}

/**
 * commitResult for several runs in one statement (commit_prompt_run_results): one response id per commit,
 * in order, or null for a run whose lease no longer held (it wrote nothing; the others are committed).
 * A result the database rejects fails the statement, and so all of them.
 */
export async function commitResults(
  db: Queryable,
  commits: readonly RunCommit[],
): Promise<(string | null)[]> {
  const { rows } = await db.query<{ run_id: string; response_id: string | null }>({
    name: 'avt_commit_prompt_run_results',
    text: 'SELECT run_id, response_id FROM commit_prompt_run_results($1::jsonb)',
    values: [JSON.stringify(commits.map(resultJson))],
  });
  return rows.map((row) => row.response_id);
}

function resultJson({ run, result }: RunCommit) {
  const { response } = result;
  return {
    run_id: run.runId,
    lease_token: run.leaseToken,
    response: {
      answer_text: response.answerText,
      answer_html: response.answerHtml ?? null,
      model: response.model ?? null,
      capture_mode: response.captureMode ?? 'ui',
      captured_at: response.capturedAt?.toISOString() ?? null,
      duration_ms: response.durationMs ?? null,
      extraction_method: response.extractionMethod ?? 'rules',
      reextract: response.reextract ?? false,
    },
    mentions: result.mentions.map(mentionJson),
    citations: result.citations.map((c) => ({
      position: c.position,
      url: c.url,
      domain: c.domain,
      title: c.title ?? null,
      brand_id: c.brandId ?? null,
      quote: c.quote ?? null,
    })),
    discovered: (result.discovered ?? []).map(discoveredJson),
  };
}

/** A mention as the SQL functions read it (commit_prompt_run_results, apply_reextraction). */
export function mentionJson(m: BrandMention) {
  return {
    brand_id: m.brandId,
    brand_name: m.brandName,
    position: m.position,
    mention_count: m.mentionCount,
    sentiment: m.sentiment ?? null,
    recommended: m.recommended ?? null,
    snippet: m.snippet ?? null,
  };
}

export function discoveredJson(d: DiscoveredCompetitor) {
  return { name: d.name, sentiment: d.sentiment ?? null };
}
