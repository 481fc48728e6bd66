// deploy/k8s/kustomization.yaml builds what `kubectl apply -k deploy/k8s` should apply: every manifest of the
// folder but the backup (applied on its own, once its volume suits the site) and the PrometheusRule (only
// where the Prometheus Operator runs), each file present, every
// object in the namespace it declares, and the image that kustomize's `images` rewrites. When kubectl is
// installed, `kubectl kustomize` builds it too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import {
  containersOf,
  K8S_DIR,
  loadManifests,
  type Manifest,
  manifestFiles,
  TRACKER_IMAGE,
  workloads,
} from './k8sManifests.ts';

interface Kustomization {
  namespace: string;
  resources: string[];
  images: { name: string; newTag?: string; newName?: string }[];
}

const APPLIED_ON_ITS_OWN = ['backup-cronjob.yaml', 'prometheus-rule.yaml'];

describe('deploy/k8s/kustomization.yaml', () => {
  const kustomization = parse(readFileSync(`${K8S_DIR}kustomization.yaml`, 'utf8')) as Kustomization;
  const docs = loadManifests();

  test('lists every manifest of the folder, but those applied on their own, and each exists', () => {
    assert.deepEqual(
      [...kustomization.resources].sort(),
      manifestFiles().filter((file) => !APPLIED_ON_ITS_OWN.includes(file)),
    );
    for (const file of kustomization.resources) assert.ok(existsSync(`${K8S_DIR}${file}`), file);
  });

  test("puts everything in the namespace the manifests declare, and names the workloads' image", () => {
    const namespaces = docs.filter(({ object }) => object.kind === 'Namespace');
    assert.deepEqual(
      namespaces.map(({ object }) => object.metadata.name),
      [kustomization.namespace],
    );
    assert.ok(
      docs.every(({ object }) => !('namespace' in object.metadata)),
      'kustomize sets the namespace',
    );
    const [name, tag] = TRACKER_IMAGE.split(':');
    assert.deepEqual(kustomization.images, [{ name, newTag: tag }]);
    const images = new Set(workloads(docs).flatMap(({ pod }) => containersOf(pod).map(({ image }) => image)));
    assert.ok(images.has(TRACKER_IMAGE));
  });

  test('kubectl kustomize builds it, with every object of the listed files', async (t) => {
    const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((path) => existsSync(path));
    if (!kubectl) {
      t.skip('kubectl is not installed');
      return;
    }
    const { stdout } = await promisify(execFile)(kubectl, ['kustomize', K8S_DIR]);
    const built = parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
    const listed = docs.filter(({ file }) => kustomization.resources.includes(file));
    assert.deepEqual(
      built.map(({ kind, metadata }) => `${kind}/${metadata.name}`).sort(),
      listed.map(({ object }) => `${object.kind}/${object.metadata.name}`).sort(),
    );
  });
});
