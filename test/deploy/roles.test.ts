// Each process connects as its least-privilege role (docs/security.md): workers as avt_worker, avt serve as
// avt_api, KEDA as avt_reader; only the migration, the one maintenance process and the backups as the owner.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { parseAvt } from './avtCli.ts';
import { loadCompose, TRACKER_IMAGE } from './composeFile.ts';
import {
  containerEnv,
  containersOf,
  describeDoc,
  findObject,
  loadManifests,
  ofKind,
  workloads,
} from './k8sManifests.ts';

const LEAST_PRIVILEGE = ['avt_worker', 'avt_api', 'avt_reader'];

/** The role a process runs as: a worker with the background tasks on needs the owner. */
async function expectedRole(args: string[], env: Record<string, string>): Promise<string> {
  const { command, options } = await parseAvt(args, env);
  if (command.name() === 'serve') return 'avt_api';
  if (command.name() === 'worker' && options.maintenance === false) return 'avt_worker';
  return 'owner';
}

const roleOf = (url: string) => {
  const user = decodeURIComponent(new URL(url).username);
  return LEAST_PRIVILEGE.includes(user) ? user : 'owner';
};

describe('compose.yaml: roles', () => {
  const compose = loadCompose();

  test('each process of the image connects as its role', async () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== TRACKER_IMAGE || service.command?.[0] === 'mock') continue;
      const env = service.environment ?? {};
      assert.equal(roleOf(env.DATABASE_URL ?? ''), await expectedRole(service.command ?? [], env), name);
    }
  });
});

describe('deploy/k8s: roles', () => {
  const docs = loadManifests();
  const secret = findObject<ISecret>(docs, 'Secret', 'avt-secrets');
  const urls = secret.stringData ?? {};

  test("each workload's DATABASE_URL comes from the Secret's key of its role", async () => {
    const all = workloads(docs);
    assert.ok(all.length >= 7);
    for (const { doc, pod } of all) {
      for (const container of containersOf(pod)) {
        const where = `${describeDoc(doc)} container ${container.name}`;
        const variable = container.env?.find(({ name }) => name === 'DATABASE_URL');
        const key = variable?.valueFrom?.secretKeyRef?.key;
        assert.ok(
          key && variable?.valueFrom?.secretKeyRef?.name === 'avt-secrets',
          `${where}: from avt-secrets`,
        );
        const role =
          container.image?.startsWith('postgres:') === true
            ? 'owner'
            : await expectedRole(container.args ?? [], containerEnv(docs, container));
        assert.equal(roleOf(urls[key] ?? ''), role, where);
      }
    }
  });

  test('KEDA reads the queue as avt_reader', () => {
    const [auth] = ofKind<ITriggerAuthentication>(docs, 'TriggerAuthentication');
    const key = auth?.spec?.secretTargetRef?.[0]?.key ?? '';
    assert.equal(roleOf(urls[key] ?? ''), 'avt_reader');
  });
});
