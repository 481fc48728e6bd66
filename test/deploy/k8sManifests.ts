// The Kubernetes manifests of deploy/k8s/, parsed: every object with its file, the pod templates, and the
// containers of the tracker's image with their environment resolved from the ConfigMaps and the Secret.
import { readdirSync, readFileSync } from 'node:fs';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './composeFile.ts';
import type { TrackerContainer } from './trackerContainer.ts';

export const K8S_DIR = `${ROOT}deploy/k8s/`;

/** The placeholder image the manifests name (users point kustomize's `images` at their own). */
export const TRACKER_IMAGE = 'ghcr.io/example/ai-visibility-tracker:0.1.0';

/** Any object of a manifest; cast it to its kubernetes-models type (IStatefulSet, ...) by kind. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface ManifestDoc {
  file: string;
  index: number;
  object: Manifest;
}

export const manifestFiles = () =>
  readdirSync(K8S_DIR)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort();

/** Every object of every manifest file (the kustomization itself excluded). */
export function loadManifests(): ManifestDoc[] {
  return manifestFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(`${K8S_DIR}${file}`, 'utf8')).map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file} #${index}: ${doc.errors[0]?.message}`);
      return { file, index, object: doc.toJS() as Manifest };
    }),
  );
}

export const describeDoc = ({ file, object }: ManifestDoc) =>
  `${file} ${object.kind}/${object.metadata.name}`;

export function findObject<T>(docs: ManifestDoc[], kind: string, name: string): T {
  const found = docs.find(({ object }) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s/`);
  return found.object as unknown as T;
}

export const ofKind = <T>(docs: ManifestDoc[], kind: string): T[] =>
  docs.filter(({ object }) => object.kind === kind).map(({ object }) => object as unknown as T);

export interface Workload {
  doc: ManifestDoc;
  pod: IPodTemplateSpec;
}

/** The pod templates of the workloads (Deployments, StatefulSets, Jobs, CronJobs). */
export const workloads = (docs: ManifestDoc[]): Workload[] =>
  docs.flatMap((doc) => {
    const { kind } = doc.object;
    if (kind === 'CronJob') {
      return [{ doc, pod: (doc.object as unknown as ICronJob).spec.jobTemplate.spec?.template ?? {} }];
    }
    if (['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(kind)) {
      return [{ doc, pod: (doc.object as { spec?: { template?: IPodTemplateSpec } }).spec?.template ?? {} }];
    }
    return [];
  });

export const containersOf = (pod: IPodTemplateSpec): IContainer[] => pod.spec?.containers ?? [];

/** A container's environment as the pod gets it: envFrom first, then env (which wins). */
export function containerEnv(docs: ManifestDoc[], container: IContainer): Record<string, string> {
  const data = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> => {
    const object = findObject<{ data?: Record<string, string>; stringData?: Record<string, string> }>(
      docs,
      kind,
      name,
    );
    return (kind === 'Secret' ? object.stringData : object.data) ?? {};
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name) Object.assign(env, data('ConfigMap', from.configMapRef.name));
    if (from.secretRef?.name) Object.assign(env, data('Secret', from.secretRef.name));
  }
  for (const item of container.env ?? []) {
    const secret = item.valueFrom?.secretKeyRef;
    const configMap = item.valueFrom?.configMapKeyRef;
    const value = secret
      ? data('Secret', secret.name ?? '')[secret.key]
      : configMap
        ? data('ConfigMap', configMap.name ?? '')[configMap.key]
        : item.value;
    if (value === undefined)
      throw new Error(`${item.name}: no value, or its ConfigMap or Secret key does not exist`);
    env[item.name] = value;
  }
  return env;
}

export interface K8sContainer extends TrackerContainer {
  workload: Workload;
  container: IContainer;
}

/** Every container that runs the tracker's image, with its avt arguments and environment. */
export function trackerContainers(docs: ManifestDoc[]): K8sContainer[] {
  return workloads(docs).flatMap((workload) =>
    containersOf(workload.pod)
      .filter((container) => container.image === TRACKER_IMAGE)
      .map((container) => {
        if (container.command) {
          throw new Error(
            `${describeDoc(workload.doc)}: give avt's arguments as args, keeping the entrypoint`,
          );
        }
        return {
          where: `${describeDoc(workload.doc)} container ${container.name}`,
          args: container.args ?? [],
          env: containerEnv(docs, container),
          workload,
          container,
        };
      }),
  );
}
