import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import { version } from '../version.ts';
import type { Filters } from './filters.ts';
import { citationsJson, readCitations } from './pages/citationsData.ts';
import { overviewFigures, readOverview } from './pages/overview.ts';
import { CHART_JS_PATH } from './static.ts';
import { templates } from './templates.ts';

const publicFile = (name: string) => new URL(`./public/${name}`, import.meta.url);

export interface WrittenReport {
  /** Absolute path of the file written. */
  path: string;
  /** Answers the report counts (all sources and modes). */
  answers: number;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Code to inline: it must not close its <script> element early. */
async function inlineScript(path: string | URL): Promise<string> {
  const code = await readFile(path, 'utf8');
  if (/<\/script/i.test(code)) throw new Error(`${String(path)} contains </script and cannot be inlined`);
  return code;
}

/**
 * The overview and the most cited domains for `filters` as ONE self-contained HTML file, to send around:
 * the stylesheet, Chart.js and the page scripts inlined, the figures as JSON. Its own Content-Security-Policy
 * runs only those scripts (by hash) and lets the page fetch nothing, so opening it makes no request to any
 * host and a name or title in the figures cannot run as code.
 */
export async function writeReport(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
  outPath: string,
): Promise<WrittenReport> {
  const [overview, citations] = await Promise.all([
    readOverview(db, filters),
    readCitations(db, filters, true),
  ]);
  const [css, scripts] = await Promise.all([
    readFile(publicFile('app.css'), 'utf8'),
    Promise.all([CHART_JS_PATH, publicFile('overview.js'), publicFile('citations.js')].map(inlineScript)),
  ]);
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    `style-src ${sha256(css)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = templates.render('report', {
    policy,
    css,
    scripts,
    filters,
    version,
    generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
    figures: overviewFigures(overview),
    domains: citations.domains,
    citationsJson: citationsJson(citations),
  });
  const path = resolve(outPath);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html);
  return { path, answers: overview.data.sections.reduce((sum, section) => sum + section.answers, 0) };
}
