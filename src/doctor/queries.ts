import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/** The text of `src/doctor/sql/<name>.sql`, read once. */
export function doctorSql(name: 'autovacuum' | 'connections' | 'schema' | 'sources' | 'statements'): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}
