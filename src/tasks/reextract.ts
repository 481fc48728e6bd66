import type { Queryable } from '../db/queryable.ts';
import type { Extractor } from '../extract/extractor.ts';
import { discoveredJson, mentionJson } from '../queue/commitResult.ts';

export interface ReextractPayload {
  response_id: string | number;
  captured_at: string;
}

/** Thrown to make graphile-worker retry later (with its backoff): the LLM is still unavailable. */
class LlmStillUnavailableError extends Error {
  override name = 'LlmStillUnavailableError';
}

/**
 * The `reextract` task: runs the LLM over an answer the rules extracted while the LLM was down, and
 * replaces its mentions (sentiment, recommended) and discovered competitors. Returns false when there was
 * nothing to do (the response is gone or already extracted by the LLM).
 */
export async function reextractResponse(
  db: Queryable,
  extractor: Extractor,
  payload: ReextractPayload,
): Promise<boolean> {
  if (!extractor.usesLlm) {
    throw new LlmStillUnavailableError('no LLM is configured on this worker (LLM_BASE_URL); will retry');
  }
  const { rows } = await db.query<{ answer_text: string; answer_html: string | null }>(
    `SELECT answer_text, answer_html FROM responses
     WHERE id = $1 AND captured_at = $2 AND extraction_method = 'rules'`,
    [payload.response_id, payload.captured_at],
  );
  const response = rows[0];
  if (!response) return false;
  // Citations are not re-extracted (the rules' are exact), so the answer's links are not needed.
  const outcome = await extractor.extract({ text: response.answer_text, html: response.answer_html });
  if (outcome.method !== 'llm') {
    throw new LlmStillUnavailableError(`the LLM is still unavailable for response ${payload.response_id}`);
  }
  const applied = await db.query<{ applied: boolean }>(
    'SELECT apply_reextraction($1, $2, $3::jsonb, $4::jsonb) AS applied',
    [
      payload.response_id,
      payload.captured_at,
      JSON.stringify(outcome.mentions.map(mentionJson)),
      JSON.stringify(outcome.discovered.map(discoveredJson)),
    ],
  );
  return applied.rows[0]?.applied === true;
}
