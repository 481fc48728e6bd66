import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from './claimedRun.ts';
import { LeaseLostError } from './errors.ts';

export interface CapturedResponse {
  answerText: string;
  answerHtml?: string | null;
  model?: string | null;
  captureMode?: 'ui' | 'api';
  capturedAt?: Date;
  durationMs?: number | null;
  extractionMethod?: 'llm' | 'rules';
  /** Rules stood in for the LLM: enqueue the `reextract` job for this response in the same transaction. */
  reextract?: boolean;
}

export interface BrandMention {
  brandId: string | null;
  brandName: string;
  position: number;
  mentionCount: number;
  sentiment?: 'positive' | 'neutral' | 'negative' | null;
  recommended?: boolean | null;
  snippet?: string | null;
}

export interface Citation {
  position: number;
  url: string;
  domain: string;
  title?: string | null;
  brandId?: string | null;
  quote?: string | null;
}

/** An untracked brand the answer names (reported by the LLM extractor). */
export interface DiscoveredCompetitor {
  name: string;
  sentiment?: 'positive' | 'neutral' | 'negative' | null;
}

/** What a job produces for one run. */
export interface RunResult {
  response: CapturedResponse;
  mentions: BrandMention[];
  citations: Citation[];
  discovered?: DiscoveredCompetitor[];
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
  const { response } = result;
  const { rows } = await db.query<{ response_id: string | null }>({
    name: 'avt_commit_prompt_run_result',
    text: 'SELECT commit_prompt_run_result($1::bigint, $2::uuid, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb) AS response_id',
    values: [
      run.runId,
      run.leaseToken,
      JSON.stringify({
        answer_text: response.answerText,
        answer_html: response.answerHtml ?? null,
        model: response.model ?? null,
        capture_mode: response.captureMode ?? 'ui',
        captured_at: response.capturedAt?.toISOString() ?? null,
        duration_ms: response.durationMs ?? null,
        extraction_method: response.extractionMethod ?? 'rules',
        reextract: response.reextract ?? false,
      }),
      mentionsJson(result.mentions),
      JSON.stringify(
        result.citations.map((c) => ({
          position: c.position,
          url: c.url,
          domain: c.domain,
          title: c.title ?? null,
          brand_id: c.brandId ?? null,
          quote: c.quote ?? null,
        })),
      ),
      discoveredJson(result.discovered ?? []),
    ],
  });
  const responseId = rows[0]?.response_id;
  if (!responseId) throw new LeaseLostError(run.runId);
  return responseId;
}

/** Mentions as the SQL functions read them (commit_prompt_run_result, apply_reextraction). */
export function mentionsJson(mentions: readonly BrandMention[]): string {
  return JSON.stringify(
    mentions.map((m) => ({
      brand_id: m.brandId,
      brand_name: m.brandName,
      position: m.position,
      mention_count: m.mentionCount,
      sentiment: m.sentiment ?? null,
      recommended: m.recommended ?? null,
      snippet: m.snippet ?? null,
    })),
  );
}

export function discoveredJson(discovered: readonly DiscoveredCompetitor[]): string {
  return JSON.stringify(discovered.map((d) => ({ name: d.name, sentiment: d.sentiment ?? null })));
}
