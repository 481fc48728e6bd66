import { addBrands } from '../db/brands.ts';
import type { Queryable } from '../db/queryable.ts';
import { DEMO_BRANDS } from '../mock/brands.ts';

export const DEMO_CATEGORY = 'CRM (demo)';

/** The questions a marketing team selling a CRM would track. */
export const DEMO_PROMPTS: readonly string[] = [
  'What is the best CRM for a five-person startup?',
  'Which CRM has the best free plan for small businesses?',
  'Best CRM for a B2B sales team that lives in email?',
  'What CRM do you recommend for a real estate agency?',
  'Which CRM is easiest to set up without an admin?',
  'Best CRM with built-in calling for outbound sales?',
  'What is a good alternative to Salesforce for a mid-size company?',
  'Which CRM integrates best with Gmail and Slack?',
  'Best CRM for managing a visual sales pipeline?',
  'What CRM should a nonprofit use on a tight budget?',
  'Which CRM offers the best reporting for sales managers?',
  'Best CRM for a growing e-commerce business?',
];

/**
 * Tracked: the demo market's first six brands (Pipedrive as "our" brand); the last two stay untracked, for
 * the LLM to report as discovered competitors.
 */
const TRACKED = DEMO_BRANDS.slice(0, 6);
const OWN_BRAND = 'Pipedrive';

/**
 * The demo's category, brands and prompts, added once and reused. The prompts are inactive: they are not
 * part of scheduled tracking rounds; the demo queues their runs itself.
 */
export async function seedDemo(db: Queryable, promptCount: number): Promise<{ promptIds: string[] }> {
  await db.query(`INSERT INTO categories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [DEMO_CATEGORY]);
  await addBrands(db, TRACKED, OWN_BRAND);
  const texts = DEMO_PROMPTS.slice(0, promptCount);
  await db.query(
    `INSERT INTO prompts (text, category_id, active)
     SELECT t, (SELECT id FROM categories WHERE name = $2), false
     FROM unnest($1::text[]) AS t
     WHERE NOT EXISTS (SELECT 1 FROM prompts p WHERE p.text = t)`,
    [texts, DEMO_CATEGORY],
  );
  const { rows } = await db.query<{ id: string }>(
    `SELECT DISTINCT ON (text) id FROM prompts WHERE text = ANY($1::text[]) ORDER BY text, created_at`,
    [texts],
  );
  return { promptIds: rows.map((row) => row.id) };
}

/** Queues one run per demo prompt × source (a new sample in the current round); returns their ids. */
export async function queueDemoRuns(
  db: Queryable,
  promptIds: string[],
  sources: string[],
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO prompt_runs (prompt_id, ai_source)
     SELECT p, s FROM unnest($1::uuid[]) AS p CROSS JOIN unnest($2::text[]) AS s
     RETURNING id`,
    [promptIds, sources],
  );
  return rows.map((row) => row.id);
}
