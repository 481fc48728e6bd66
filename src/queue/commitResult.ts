import type { Db } from '../db/kysely.ts';
import type { ClaimedRun } from './claimedRun.ts';
import { completePromptRun } from './completePromptRun.ts';
import { LeaseLostError } from './errors.ts';

export interface CapturedResponse {
  answerText: string;
  answerHtml?: string | null;
  model?: string | null;
  captureMode?: 'ui' | 'api';
  capturedAt?: Date;
  durationMs?: number | null;
  extractionMethod?: 'llm' | 'rules';
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

/** What a job produces for one run. */
export interface RunResult {
  response: CapturedResponse;
  mentions: BrandMention[];
  citations: Citation[];
}

/**
 * Writes the run's response, mentions and citations and marks the run done, in one transaction. The
 * lease is checked first (and the run row stays locked until commit): if it no longer holds, nothing is
 * written and LeaseLostError is thrown. Returns the new response id.
 */
export async function commitResult(
  db: Db,
  run: Pick<ClaimedRun, 'runId' | 'leaseToken' | 'promptId' | 'aiSource'>,
  result: RunResult,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    if (!(await completePromptRun(tx, run))) throw new LeaseLostError(run.runId);
    const { response } = result;
    const { id: responseId } = await tx
      .insertInto('responses')
      .values({
        run_id: run.runId,
        prompt_id: run.promptId,
        ai_source: run.aiSource,
        capture_mode: response.captureMode ?? 'ui',
        answer_text: response.answerText,
        answer_html: response.answerHtml ?? null,
        model: response.model ?? null,
        duration_ms: response.durationMs ?? null,
        extraction_method: response.extractionMethod ?? 'rules',
        ...(response.capturedAt ? { captured_at: response.capturedAt } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (result.mentions.length > 0) {
      await tx
        .insertInto('brand_mentions')
        .values(
          result.mentions.map((m) => ({
            response_id: responseId,
            brand_id: m.brandId,
            brand_name: m.brandName,
            position: m.position,
            mention_count: m.mentionCount,
            sentiment: m.sentiment ?? null,
            recommended: m.recommended ?? null,
            snippet: m.snippet ?? null,
          })),
        )
        .execute();
    }
    if (result.citations.length > 0) {
      await tx
        .insertInto('citations')
        .values(
          result.citations.map((c) => ({
            response_id: responseId,
            position: c.position,
            url: c.url,
            domain: c.domain,
            title: c.title ?? null,
            brand_id: c.brandId ?? null,
            quote: c.quote ?? null,
          })),
        )
        .execute();
    }
    return responseId;
  });
}
