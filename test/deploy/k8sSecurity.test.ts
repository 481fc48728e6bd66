// Every pod of deploy/k8s/ meets Kubernetes' "restricted" Pod Security Standard, which the namespace enforces,
// and more: the image's non-root user, a read-only root filesystem with writable emptyDirs where something is
// written, no service account token, and requests and limits on every container.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { parseAvt } from './avtCli.ts';
import {
  containersOf,
  describeDoc,
  loadManifests,
  ofKind,
  TRACKER_IMAGE,
  trackerContainers,
  workloads,
} from './k8sManifests.ts';

/** The image's user (Dockerfile: USER 10001:10001); the backup runs postgres's own image and user. */
const IMAGE_USER = 10001;

describe('deploy/k8s/: restricted pods', () => {
  const docs = loadManifests();

  test('the namespace enforces the restricted Pod Security Standard', () => {
    const [namespace] = ofKind<INamespace>(docs, 'Namespace');
    assert.equal(namespace?.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  test('every pod runs as non-root with RuntimeDefault seccomp and no service account token', () => {
    const all = workloads(docs);
    assert.ok(all.length >= 7);
    for (const { doc, pod } of all) {
      const security = pod.spec?.securityContext;
      assert.equal(security?.runAsNonRoot, true, describeDoc(doc));
      assert.equal(security?.seccompProfile?.type, 'RuntimeDefault', describeDoc(doc));
      assert.equal(pod.spec?.automountServiceAccountToken, false, describeDoc(doc));
      if (containersOf(pod).some(({ image }) => image === TRACKER_IMAGE)) {
        assert.equal(security?.runAsUser, IMAGE_USER, describeDoc(doc));
        assert.equal(security?.runAsGroup, IMAGE_USER, describeDoc(doc));
      }
    }
  });

  test('every container drops all capabilities, cannot escalate, and has a read-only root', () => {
    for (const { doc, pod } of workloads(docs)) {
      for (const container of containersOf(pod)) {
        const where = `${describeDoc(doc)} container ${container.name}`;
        const security = container.securityContext;
        assert.equal(security?.allowPrivilegeEscalation, false, where);
        assert.equal(security?.readOnlyRootFilesystem, true, where);
        assert.deepEqual(security?.capabilities?.drop, ['ALL'], where);
        assert.equal(security?.capabilities?.add, undefined, where);
        assert.equal(security?.privileged, undefined, where);
      }
    }
  });

  test('/tmp, and wherever a worker writes its failure artifacts, is a writable emptyDir', async () => {
    for (const container of trackerContainers(docs)) {
      const volumes = new Map(
        (container.workload.pod.spec?.volumes ?? []).map((volume) => [volume.name, volume]),
      );
      const writable = (container.container.volumeMounts ?? [])
        .filter((mount) => !mount.readOnly && volumes.get(mount.name)?.emptyDir)
        .map((mount) => mount.mountPath);
      assert.ok(writable.includes('/tmp'), `${container.where}: /tmp`);
      const { options } = await parseAvt(container.args, container.env);
      const artifacts = options.artifactsDir as string | undefined;
      if (artifacts !== undefined) {
        assert.ok(
          writable.some((path) => artifacts.startsWith(`${path}/`)),
          `${container.where}: ARTIFACTS_DIR ${artifacts}`,
        );
      }
    }
  });

  test('every container requests CPU and memory, and has a memory limit no lower than its request', () => {
    const bytes = (quantity: string | number | undefined) => {
      const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
      assert.ok(match, `write memory as Mi or Gi, got ${quantity}`);
      return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
    };
    for (const { doc, pod } of workloads(docs)) {
      for (const { name, resources } of containersOf(pod)) {
        const where = `${describeDoc(doc)} container ${name}`;
        assert.ok(resources?.requests?.cpu, where);
        assert.ok(bytes(resources?.limits?.memory) >= bytes(resources?.requests?.memory), where);
      }
    }
  });
});
