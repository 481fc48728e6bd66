// Every object of deploy/k8s/ validates against the Kubernetes API's schemas (kubernetes-models), KEDA's
// CRDs (@kubernetes-models/keda) and the Prometheus Operator's (@kubernetes-models/prometheus-operator), and
// names no field those APIs lack. The schemas check types, formats and required fields but let unknown fields
// through (a misspelt `livenesProbe` would be dropped by the API server without a word), so the same objects
// are also type-checked by tsc against the packages' types, whose object literals refuse a field the type does
// not have.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as keda from '@kubernetes-models/keda';
import * as prometheusOperator from '@kubernetes-models/prometheus-operator';
import * as k8s from 'kubernetes-models';
import { ROOT } from './composeFile.ts';
import { describeDoc, loadManifests, type Manifest, type ManifestDoc } from './k8sManifests.ts';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** kubernetes-models' module path and class of an apiVersion and kind (apps/v1 → apps/v1/StatefulSet). */
function model({ apiVersion, kind }: Manifest): { module: string; Model: ModelClass } {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const camel = (name: string) => name.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());
  const [pkg, groups] =
    group === 'keda.sh'
      ? ['@kubernetes-models/keda', keda as Record<string, unknown>]
      : group === 'monitoring.coreos.com'
        ? ['@kubernetes-models/prometheus-operator', prometheusOperator as Record<string, unknown>]
        : ['kubernetes-models', k8s as Record<string, unknown>];
  const versions = (group === '' ? groups : groups[camel(group as string)]) as
    | Record<string, Record<string, ModelClass>>
    | undefined;
  const Model = versions?.[version as string]?.[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return { module: `${pkg}/${group === '' ? '' : `${group}/`}${version}/${kind}`, Model };
}

/** tsc's complaints about the objects, each with the document it concerns. */
async function typeErrors(docs: ManifestDoc[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'avt-k8s-types-'));
  try {
    const lines = docs.map((doc, n) => {
      const { module } = model(doc.object);
      return `import type { I${doc.object.kind} as T${n} } from '${module}';\nexport const d${n} = ${JSON.stringify(doc.object)} satisfies T${n};`;
    });
    writeFileSync(join(dir, 'manifests.ts'), `${lines.join('\n')}\n`);
    const paths = Object.fromEntries(
      ['kubernetes-models/*', '@kubernetes-models/*'].map((name) => [name, [`${ROOT}node_modules/${name}`]]),
    );
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      types: [],
      skipLibCheck: true,
      paths,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['manifests.ts'] }));
    const tsc = await promisify(execFile)(`${ROOT}node_modules/.bin/tsc`, ['-p', dir]).then(
      () => '',
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    // manifests.ts(<line>,<column>): error TS...: document n is on lines 2n + 1 and 2n + 2.
    return [...tsc.matchAll(/manifests\.ts\((\d+),\d+\): (error .*)/g)].map(([, line, error]) => {
      const doc = docs[Math.floor((Number(line) - 1) / 2)];
      return `${doc ? describeDoc(doc) : `line ${line}`}: ${error}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy/k8s/ against the Kubernetes, KEDA and Prometheus Operator schemas', () => {
  const docs = loadManifests();

  test('every object validates against its schema', () => {
    assert.ok(docs.length >= 15);
    for (const doc of docs) {
      const { Model } = model(doc.object);
      assert.doesNotThrow(() => new Model(doc.object).validate(), describeDoc(doc));
    }
  });

  test('no object names a field its API does not have', async () => {
    assert.deepEqual(await typeErrors(docs), []);
  });

  test('a wrong type and a misspelt field are caught (so the tests above can fail)', async () => {
    const [statefulSet] = docs.filter(({ object }) => object.kind === 'StatefulSet');
    const [scaledObject] = docs.filter(({ object }) => object.kind === 'ScaledObject');
    assert.ok(statefulSet && scaledObject);
    const broken = structuredClone(scaledObject);
    (broken.object.spec as { minReplicaCount: unknown }).minReplicaCount = 'zero';
    assert.throws(() => new (model(broken.object).Model)(broken.object).validate(), /minReplicaCount/);
    const misspelt = structuredClone(statefulSet);
    const pod = (misspelt.object.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    pod.terminationGracePeriod = 45;
    const errors = await typeErrors([misspelt]);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /StatefulSet\/worker-chatgpt: error TS2353: .*'"terminationGracePeriod"'/);
  });
});
