import type { Queryable } from '../db/queryable.ts';
import { formatTable } from '../formatTable.ts';

const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(0)}%`);

/**
 * The visibility report the demo ends with, read from the analysts' views for today (UTC) and the demo's
 * category: per source and brand, the mention rate with its 95% interval, average position, share of voice
 * and sentiment; then the most cited domains and the untracked brands the answers named.
 */
export async function visibilityReport(db: Queryable, category: string, sources: string[]): Promise<string> {
  const visibility = await db.query<{
    ai_source: string;
    brand: string;
    is_own: boolean;
    answers: string;
    mentioned: string;
    mention_rate: number;
    mention_rate_low: number;
    mention_rate_high: number;
    avg_position: number | null;
    share_of_voice: number | null;
    positive: string;
    neutral: string;
    negative: string;
  }>(
    `SELECT ai_source, brand, is_own, answers, mentioned, mention_rate, mention_rate_low, mention_rate_high,
            avg_position, share_of_voice, positive, neutral, negative
     FROM brand_visibility
     WHERE category = $1 AND ai_source = ANY($2::text[]) AND capture_mode = 'ui'
       AND day = (now() AT TIME ZONE 'UTC')::date
     ORDER BY ai_source, mention_rate DESC, brand`,
    [category, sources],
  );
  const sections: string[] = [];
  for (const source of sources) {
    const rows = visibility.rows.filter((row) => row.ai_source === source);
    if (rows.length === 0) continue;
    sections.push(
      `${source}: ${rows[0]?.answers} answers\n${formatTable(
        rows.map((row) => ({
          brand: row.is_own ? `${row.brand} (own)` : row.brand,
          mentioned: row.mentioned,
          'mention rate': pct(row.mention_rate),
          '95% interval': `${pct(row.mention_rate_low)}–${pct(row.mention_rate_high)}`,
          'avg position': row.avg_position === null ? '' : row.avg_position.toFixed(1),
          'share of voice': pct(row.share_of_voice),
          'sentiment +/=/−': `${row.positive}/${row.neutral}/${row.negative}`,
        })),
      )}`,
    );
  }

  const domains = await db.query<Record<string, unknown>>(
    `SELECT domain, coalesce(max(brand), '') AS owner, sum(citations)::int AS citations,
            sum(answers_citing)::int AS answers
     FROM citation_domains
     WHERE ai_source = ANY($1::text[]) AND capture_mode = 'ui' AND day = (now() AT TIME ZONE 'UTC')::date
     GROUP BY domain ORDER BY citations DESC, domain LIMIT 10`,
    [sources],
  );
  sections.push(`most cited domains, all sources:\n${formatTable(domains.rows)}`);

  const discovered = await db.query<Record<string, unknown>>(
    `SELECT d.name AS "untracked brand", count(DISTINCT d.response_id)::int AS answers
     FROM discovered_competitors d
     JOIN responses r ON r.id = d.response_id
     JOIN prompts p ON p.id = r.prompt_id
     JOIN categories c ON c.id = p.category_id
     WHERE c.name = $1 AND r.ai_source = ANY($2::text[]) AND (r.captured_at AT TIME ZONE 'UTC')::date = (now() AT TIME ZONE 'UTC')::date
     GROUP BY d.name ORDER BY answers DESC, d.name`,
    [category, sources],
  );
  sections.push(`discovered competitors (named by answers, not tracked):\n${formatTable(discovered.rows)}`);
  return sections.join('\n\n');
}
