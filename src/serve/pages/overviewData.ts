import type { BrandFigureRow } from '../queries/figures.ts';
import { interval, percent, position } from './format.ts';

export interface OverviewBrand {
  id: string;
  name: string;
  is_own: boolean;
}

/** One brand's figures over one source's periods, in the order of `periods` (null: no answers). */
export interface OverviewLine {
  /** Index into OverviewChartData.brands. */
  brand: number;
  answers: number[];
  mention_rate: (number | null)[];
  ci_low: (number | null)[];
  ci_high: (number | null)[];
  share_of_voice: (number | null)[];
  avg_position: (number | null)[];
}

/** A source and capture mode: ui and api answers are never mixed in one figure. */
export interface OverviewSeries {
  /** `chatgpt/ui`: what a canvas names in data-series. */
  key: string;
  ai_source: string;
  capture_mode: string;
  /** Period starts, YYYY-MM-DD, oldest first. */
  periods: string[];
  lines: OverviewLine[];
}

/** What the overview's script draws: the JSON of `<script id="overview-data">`. */
export interface OverviewChartData {
  /** Your brands first, then the competitors by name: a brand keeps its colour across charts. */
  brands: OverviewBrand[];
  series: OverviewSeries[];
}

/** A row of a source's table: the same figures as the charts, written out. */
export interface OverviewTableRow {
  period: string;
  brand: string;
  is_own: boolean;
  answers: number;
  mentioned: number;
  mention_rate: string;
  interval: string;
  share_of_voice: string;
  avg_position: string;
  sentiment: string;
  recommended: number;
}

export interface OverviewSection {
  key: string;
  ai_source: string;
  capture_mode: string;
  /** Answers in the window. */
  answers: number;
  /** Newest period first, your brand first within a period. */
  rows: OverviewTableRow[];
}

export interface OverviewData {
  chart: OverviewChartData;
  sections: OverviewSection[];
}

const byOwnThenName = (a: { is_own: boolean; name: string }, b: { is_own: boolean; name: string }) =>
  Number(b.is_own) - Number(a.is_own) || a.name.localeCompare(b.name);

/** The overview's charts and tables from the brand figures (one row per period × source × mode × brand). */
export function overviewData(rows: readonly BrandFigureRow[]): OverviewData {
  const brandsById = new Map<string, OverviewBrand>();
  for (const row of rows) {
    brandsById.set(String(row.brand_id), { id: String(row.brand_id), name: row.brand, is_own: row.is_own });
  }
  const brands = [...brandsById.values()].sort(byOwnThenName);
  const brandIndex = new Map(brands.map((brand, index) => [brand.id, index]));

  const groups = new Map<string, BrandFigureRow[]>();
  for (const row of rows) {
    const key = `${row.ai_source}/${row.capture_mode}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const keys = [...groups.keys()].sort();

  const series: OverviewSeries[] = [];
  const sections: OverviewSection[] = [];
  for (const key of keys) {
    const group = groups.get(key) ?? [];
    const first = group[0] as BrandFigureRow;
    const periods = [...new Set(group.map((row) => row.period))].sort();
    const periodIndex = new Map(periods.map((period, index) => [period, index]));
    const lines = new Map<string, OverviewLine>();
    const empty = () => periods.map(() => null);
    for (const row of group) {
      const id = String(row.brand_id);
      let line = lines.get(id);
      if (!line) {
        line = {
          brand: brandIndex.get(id) ?? 0,
          answers: periods.map(() => 0),
          mention_rate: empty(),
          ci_low: empty(),
          ci_high: empty(),
          share_of_voice: empty(),
          avg_position: empty(),
        };
        lines.set(id, line);
      }
      const at = periodIndex.get(row.period) ?? 0;
      line.answers[at] = Number(row.answers);
      line.mention_rate[at] = row.mention_rate;
      line.ci_low[at] = row.ci_low;
      line.ci_high[at] = row.ci_high;
      line.share_of_voice[at] = row.share_of_voice;
      line.avg_position[at] = row.avg_position;
    }
    series.push({
      key,
      ai_source: first.ai_source,
      capture_mode: first.capture_mode,
      periods,
      lines: [...lines.values()].sort((a, b) => a.brand - b.brand),
    });

    const answersPerPeriod = new Map(group.map((row) => [row.period, Number(row.answers)]));
    const tableRows = group
      .map((row) => ({ row, name: row.brand, is_own: row.is_own }))
      .sort((a, b) => b.row.period.localeCompare(a.row.period) || byOwnThenName(a, b))
      .map(({ row }) => ({
        period: row.period,
        brand: row.brand,
        is_own: row.is_own,
        answers: Number(row.answers),
        mentioned: Number(row.mentioned),
        mention_rate: percent(row.mention_rate),
        interval: interval(row.ci_low, row.ci_high),
        share_of_voice: percent(row.share_of_voice),
        avg_position: position(row.avg_position),
        sentiment: `${row.positive}/${row.neutral}/${row.negative}`,
        recommended: Number(row.recommended),
      }));
    sections.push({
      key,
      ai_source: first.ai_source,
      capture_mode: first.capture_mode,
      answers: [...answersPerPeriod.values()].reduce((sum, n) => sum + n, 0),
      rows: tableRows,
    });
  }
  return { chart: { brands, series }, sections };
}
