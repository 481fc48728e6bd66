// compose.yaml as Docker Compose reads it when no variable is set: YAML merge keys resolved, then every
// ${VAR:-default} replaced by its default. The deployment tests read it through here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { TrackerContainer } from './trackerContainer.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const COMPOSE_FILE = `${ROOT}compose.yaml`;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
  networks?: Record<string, { aliases?: string[] } | null>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/** The image the tracker's services run (the migrate service builds it). */
export const TRACKER_IMAGE = 'ai-visibility-tracker:latest';

/** Where the image's entrypoint is: a healthcheck's command runs it by path. */
const AVT_BIN = '/app/bin/avt';

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation of one string with the variables in `env` (none by default). */
export function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(VARIABLE, (match, braced?: string, operator?: string, word = '', bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const unset = operator?.startsWith(':') ? !value : value === undefined;
    if (operator?.endsWith('?') && unset) {
      throw new Error(`compose.yaml requires ${name} (${word}): the demo must start with no variable set`);
    }
    if (operator?.endsWith('-') && unset) return word;
    return value ?? '';
  });
}

function interpolateAll(value: unknown): unknown {
  if (typeof value === 'string') return interpolate(value);
  if (Array.isArray(value)) return value.map(interpolateAll);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item)]));
  }
  return value;
}

export function loadCompose(text = readFileSync(COMPOSE_FILE, 'utf8')): ComposeFile {
  return interpolateAll(parse(text, { merge: true })) as ComposeFile;
}

/** The services `docker compose --profile <profile> up` starts: those with no profile, and the profile's. */
export function servicesIn(compose: ComposeFile, profile: string): [string, ComposeService][] {
  return Object.entries(compose.services).filter(
    ([, service]) => !service.profiles || service.profiles.includes(profile),
  );
}

/** Every command a service runs in the tracker's image: its own, and its healthcheck's. */
export function composeContainers(compose: ComposeFile): TrackerContainer[] {
  const containers: TrackerContainer[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.image !== TRACKER_IMAGE) continue;
    const env = service.environment ?? {};
    containers.push({ where: `compose service ${name}`, args: service.command ?? [], env });
    const check = service.healthcheck?.test;
    if (check) {
      const [kind, bin, ...args] = check;
      if (kind !== 'CMD' || bin !== AVT_BIN) {
        throw new Error(
          `compose service ${name}: a healthcheck runs ["CMD", "${AVT_BIN}", ...], got ${check}`,
        );
      }
      containers.push({ where: `compose service ${name} (healthcheck)`, args, env });
    }
  }
  return containers;
}
