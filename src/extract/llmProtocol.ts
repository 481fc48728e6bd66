import { z } from 'zod';

/**
 * The exchange with an OpenAI-compatible /chat/completions endpoint. The request's last user message is
 * the JSON of `LlmExtractionRequest`; the reply's `choices[0].message.content` must be the JSON of
 * `LlmExtractionReply`, which is checked against `extractionReplySchema` before it is trusted.
 * The mock LLM (src/mock/llm/) reads and writes the same shapes.
 */
export interface LlmExtractionRequest {
  tracked_brands: { name: string; aliases: readonly string[] }[];
  answers: { id: string; text: string }[];
}

const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

export const extractionReplySchema = z.object({
  answers: z.array(
    z.object({
      id: z.string(),
      /** Tracked brands the answer names, by their tracked `name`. */
      mentions: z.array(
        z.object({
          brand: z.string(),
          sentiment: z.enum(SENTIMENTS),
          recommended: z.boolean(),
        }),
      ),
      /** Brands or products the answer names that are not tracked. */
      other_brands: z.array(z.object({ name: z.string().min(1), sentiment: z.enum(SENTIMENTS) })),
    }),
  ),
});

export type LlmExtractionReply = z.infer<typeof extractionReplySchema>;

/** `response_format` for structured output (OpenAI, Gemini's compatible endpoint, Ollama, vLLM). */
export const RESPONSE_FORMAT = {
  type: 'json_schema',
  json_schema: { name: 'brand_extraction', strict: true, schema: z.toJSONSchema(extractionReplySchema) },
} as const;

export const SYSTEM_PROMPT = [
  'You read answers that AI assistants gave to user questions and report which brands each answer names.',
  'The user message is JSON: {"tracked_brands": [{"name", "aliases"}], "answers": [{"id", "text"}]}.',
  'Reply with JSON only: {"answers": [{"id", "mentions": [{"brand", "sentiment", "recommended"}],',
  '"other_brands": [{"name", "sentiment"}]}]}, one entry per answer id.',
  '"mentions": the tracked brands the answer names (by name or alias), with "brand" set to the tracked name;',
  '"sentiment" is how the answer speaks of the brand (positive, neutral or negative); "recommended" is true',
  'when the answer recommends it. "other_brands": brands or products the answer names that are not tracked.',
].join(' ');
