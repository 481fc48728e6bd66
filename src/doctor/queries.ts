import { readFileSync } from 'node:fs';

/** The text of `src/doctor/sql/<name>.sql`. */
export function doctorSql(name: 'autovacuum' | 'connections' | 'schema' | 'statements'): string {
  return readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
}
