// The worker workloads of deploy/k8s/: a StatefulSet per source whose pods take their worker id from the
// ordinal in their hostname, with probes, a shutdown that fits in the pod's grace, /dev/shm in memory, memory
// sized from the measured figures, a disruption budget and a KEDA ScaledObject; and one maintenance process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { workerIdFromHostname } from '../../src/worker/workerId.ts';
import { parseAvt } from './avtCli.ts';
import { findObject, type K8sContainer, loadManifests, ofKind, trackerContainers } from './k8sManifests.ts';

const SOURCES = ['chatgpt', 'gemini', 'perplexity'];

/**
 * A worker's memory in shared browser mode, measured as the container's cgroup peak on the mock's pages
 * (docs/deploy.md#sizing): a base for Node and Chromium, and each job in flight.
 */
const MEASURED_MB = { base: 270, perJob: 70 };

const mebibytes = (quantity: unknown) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  if (!match) throw new Error(`write memory as Mi or Gi, got ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

describe('deploy/k8s/: workers', () => {
  const docs = loadManifests();
  const containers = trackerContainers(docs);
  const parsed = async (container: K8sContainer) => (await parseAvt(container.args, container.env)).options;
  const workersOf = (source: string) =>
    containers.filter(
      ({ workload, args }) =>
        workload.doc.object.kind === 'StatefulSet' && args[0] === 'worker' && args.includes(source),
    );

  test('one StatefulSet per source, its worker id the ordinal of the pod', async () => {
    for (const source of SOURCES) {
      const [worker, ...others] = workersOf(source);
      assert.ok(worker && others.length === 0, source);
      const options = await parsed(worker);
      assert.equal(options.aiSource, source);
      assert.equal(options.workerId, undefined, `${source}: no WORKER_ID, the hostname gives it`);
      const name = worker.workload.doc.object.metadata.name;
      // A StatefulSet's pod is named <statefulset>-<ordinal>, and that is its hostname.
      assert.equal(workerIdFromHostname(`${name}-3`), 3, name);
      assert.equal(
        (worker.workload.doc.object as unknown as IStatefulSet).spec?.podManagementPolicy,
        'Parallel',
        name,
      );
    }
  });

  test('workers neither migrate nor run the background tasks; exactly one maintenance process does', async () => {
    const maintenance: K8sContainer[] = [];
    for (const container of containers.filter(({ args }) => args[0] === 'worker')) {
      const options = await parsed(container);
      assert.equal(options.migrate, false, `${container.where}: the migration Job migrates`);
      if (options.maintenance !== false) maintenance.push(container);
    }
    assert.equal(maintenance.length, 1);
    const [maintainer] = maintenance;
    assert.ok(maintainer);
    const deployment = maintainer.workload.doc.object as unknown as IDeployment;
    assert.equal(deployment.kind, 'Deployment');
    assert.deepEqual([deployment.spec?.replicas, deployment.spec?.strategy?.type], [1, 'Recreate']);
    // Its id must not be one a StatefulSet ordinal gives a worker of the same source.
    const { workerId } = await parsed(maintainer);
    assert.ok((workerId as number) >= 1000);
  });

  test('probes: /healthz for liveness and start-up, /readyz for readiness (serve: its databases only)', () => {
    for (const { where, args, container } of containers.filter(({ args }) => args[0] === 'worker')) {
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', where);
      assert.equal(container.startupProbe?.httpGet?.path, '/healthz', where);
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', `${where} (${args[0]})`);
    }
    // serve: ready while its own databases answer, whatever the workers (KEDA may have none running).
    for (const { where, container } of containers.filter(({ args }) => args[0] === 'serve')) {
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', where);
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz?checks=database,read_database', where);
    }
  });

  test("a pod's grace outlasts the worker's shutdown grace, and /dev/shm is in memory", async () => {
    for (const container of containers.filter(({ args }) => args[0] === 'worker')) {
      const options = await parsed(container);
      const spec = container.workload.pod.spec;
      assert.ok(
        (spec?.terminationGracePeriodSeconds ?? 30) >= (options.shutdownGraceSeconds as number) + 10,
        `${container.where}: the shutdown grace and 10 s to release and close`,
      );
      const shm = container.container.volumeMounts?.find(({ mountPath }) => mountPath === '/dev/shm');
      const volume = spec?.volumes?.find(({ name }) => name === shm?.name);
      assert.equal(volume?.emptyDir?.medium, 'Memory', container.where);
    }
  });

  test('memory requests cover the measured need at the configured concurrency', async () => {
    for (const container of containers.filter(({ args }) => args[0] === 'worker')) {
      const options = await parsed(container);
      assert.equal(options.browser, 'shared', `${container.where}: the figures are for shared mode`);
      const need = MEASURED_MB.base + MEASURED_MB.perJob * (options.concurrency as number);
      const { requests, limits } = container.container.resources ?? {};
      assert.ok(mebibytes(requests?.memory) >= need, `${container.where}: requests ${need} MB or more`);
      assert.ok(
        mebibytes(limits?.memory) >= 2 * need,
        `${container.where}: a limit with room for real pages`,
      );
    }
  });

  test('each StatefulSet has a disruption budget and a KEDA ScaledObject on the queue', () => {
    const budgets = ofKind<IPodDisruptionBudget>(docs, 'PodDisruptionBudget');
    const scaled = ofKind<IScaledObject>(docs, 'ScaledObject');
    for (const source of SOURCES) {
      const statefulSet = workersOf(source)[0]?.workload.doc.object as unknown as IStatefulSet;
      const name = statefulSet.metadata?.name;
      const labels = statefulSet.spec?.template.metadata?.labels ?? {};
      const budget = budgets.find(({ spec }) =>
        Object.entries(spec?.selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value),
      );
      assert.equal(budget?.spec?.maxUnavailable, 1, `${name}: PodDisruptionBudget`);
      const scaler = scaled.find(({ spec }) => spec.scaleTargetRef.name === name);
      assert.ok(scaler, `${name}: ScaledObject`);
      assert.equal(scaler.spec.scaleTargetRef.kind, 'StatefulSet');
      assert.ok([0, 1].includes(scaler.spec.minReplicaCount ?? 0), name);
      assert.ok((scaler.spec.maxReplicaCount ?? 0) > 1, name);
      assert.ok((scaler.spec.cooldownPeriod ?? 300) >= 180, `${name}: longer than an answer may take`);
      assert.equal(statefulSet.spec?.replicas, undefined, `${name}: KEDA sets the replicas`);
      const [trigger, ...more] = scaler.spec.triggers;
      assert.ok(trigger && more.length === 0);
      assert.equal(trigger.type, 'postgresql');
      assert.match(
        String(trigger.metadata.query),
        new RegExp(`FROM queue_health WHERE ai_source = '${source}'`),
      );
      const auth = findObject<ITriggerAuthentication>(
        docs,
        'TriggerAuthentication',
        trigger.authenticationRef?.name ?? '',
      );
      assert.deepEqual(
        auth.spec?.secretTargetRef?.map(({ parameter, key }) => [parameter, key]),
        [['connection', 'reader-url']],
      );
    }
  });
});
