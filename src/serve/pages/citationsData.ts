import type pg from 'pg';
import type { Filters } from '../filters.ts';
import { brandCitations, citedDomains } from '../queries/figures.ts';
import { jsonForScript } from '../templates.ts';
import { percent } from './format.ts';

/** How many domains the citations page and the report rank. */
export const TOP_DOMAINS = 20;

export interface DomainRow {
  domain: string;
  brand: string | null;
  is_own: boolean;
  citations: number;
  answers_citing: number;
  /** Its share of all citations, written out. */
  share: string;
}

export interface BrandCitationRow {
  brand: string;
  is_own: boolean;
  citations: number;
  answers_citing: number;
}

export interface CitationsData {
  domains: DomainRow[];
  brands: BrandCitationRow[];
}

/** The top cited domains (and, unless `domainsOnly`, the citations per brand) for `filters`. */
export async function readCitations(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
  domainsOnly = false,
): Promise<CitationsData> {
  const [domains, brands] = await Promise.all([
    citedDomains(db, filters, TOP_DOMAINS),
    domainsOnly ? [] : brandCitations(db, filters),
  ]);
  return {
    domains: domains.map((row) => ({
      domain: row.domain,
      brand: row.brand,
      is_own: row.is_own === true,
      citations: Number(row.citations),
      answers_citing: Number(row.answers_citing),
      share: percent(row.share),
    })),
    brands: brands
      .filter((row) => Number(row.citations) > 0)
      .map((row) => ({
        brand: row.brand,
        is_own: row.is_own,
        citations: Number(row.citations),
        answers_citing: Number(row.answers_citing),
      })),
  };
}

/** The JSON the citations script draws: <script id="citations-data">. */
export const citationsJson = (data: CitationsData): string => jsonForScript(data);
