// compose.yaml is a valid Compose file (the Compose specification's JSON schema, as dclint ships it), and it
// runs what the issue asks: the seed's worker replicas, serve × 3 behind the load balancer, the one-shot
// migration before everything of the tracker, graceful stops, and a demo profile that reaches no real site.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parseAvt } from './avtCli.ts';
import { loadCompose, servicesIn, TRACKER_IMAGE } from './composeFile.ts';

function composeSchemaValidator() {
  const dclint = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
  // Its $schema names draft-07 by an address Ajv does not know; Ajv's default dialect is draft-07.
  const { $schema: _, ...schema } = JSON.parse(readFileSync(`${dclint}/schemas/compose.schema.json`, 'utf8'));
  return new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
}

const seconds = (duration: string) => {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) throw new Error(`write durations in seconds (40s), got ${duration}`);
  return Number(match[1]);
};

describe('compose.yaml', () => {
  const compose = loadCompose();
  const validate = composeSchemaValidator();

  test('validates against the Compose specification', () => {
    assert.equal(validate(compose), true, JSON.stringify(validate.errors, null, 2));
  });

  test('the schema refuses what Compose refuses (so the test above can fail)', () => {
    const broken = loadCompose();
    (broken.services.serve as Record<string, unknown>).restart_policy = 'always';
    assert.equal(validate(broken), false);
  });

  test("runs the seed's worker replicas per source, live and in the demo, and three serve replicas", () => {
    const replicas = (name: string) => compose.services[name]?.deploy?.replicas;
    for (const prefix of ['worker-', 'demo-worker-']) {
      assert.deepEqual(
        ['chatgpt', 'gemini', 'perplexity'].map((source) => replicas(`${prefix}${source}`)),
        [3, 2, 2],
        prefix,
      );
    }
    assert.equal(replicas('serve'), 3);
  });

  test('with --profile demo, every worker drives the mock and extracts with the mock LLM', async () => {
    const workers = servicesIn(compose, 'demo').filter(([, service]) => service.command?.[0] === 'worker');
    assert.equal(workers.length, 4, 'three sources and the maintenance process');
    for (const [name, service] of workers) {
      const { options } = await parseAvt(service.command ?? [], service.environment ?? {});
      assert.match(String(options.baseUrl), /^http:\/\/mock:\d+\/\w+\/$/, `${name}: --base-url`);
      assert.match(String(options.llmBaseUrl), /^http:\/\/mock:\d+\/v1$/, `${name}: LLM_BASE_URL`);
      assert.deepEqual(service.depends_on?.mock, { condition: 'service_healthy' }, name);
    }
    assert.ok(
      servicesIn(compose, 'demo').some(([name]) => name === 'demo-seed'),
      'the demo seeds its market',
    );
  });

  test('exactly one process runs the background tasks in each profile, as the owner', () => {
    for (const profile of ['live', 'demo']) {
      const maintenance = servicesIn(compose, profile).filter(
        ([, service]) => service.command?.[0] === 'worker' && service.environment?.NO_MAINTENANCE !== 'true',
      );
      assert.equal(maintenance.length, 1, profile);
      assert.match(maintenance[0]?.[1].environment?.DATABASE_URL ?? '', /^postgres:\/\/postgres:/, profile);
      assert.equal(maintenance[0]?.[1].deploy?.replicas ?? 1, 1, profile);
    }
  });

  test('every process of the image starts after the migration, and workers stop within their grace', async () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== TRACKER_IMAGE || name === 'migrate' || name === 'mock') continue;
      assert.deepEqual(service.depends_on?.migrate, { condition: 'service_completed_successfully' }, name);
      if (service.command?.[0] !== 'worker') continue;
      const { options } = await parseAvt(service.command, service.environment ?? {});
      assert.equal(options.migrate, false, `${name}: NO_MIGRATE`);
      assert.ok(
        seconds(service.stop_grace_period ?? '10s') >= (options.shutdownGraceSeconds as number) + 10,
        `${name}: stop_grace_period leaves the shutdown grace and 10 s to release and close`,
      );
    }
    assert.deepEqual(compose.services.migrate?.command, ['migrate']);
    assert.ok(compose.services.migrate?.build, 'the migrate service builds the image');
  });
});
