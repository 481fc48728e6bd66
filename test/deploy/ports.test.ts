// Every port the deployment files name is the one the process listens on, as the CLI works it out from the
// same arguments and environment (defaults included): container ports, probes, Services, Prometheus's
// targets, the load balancer's upstream, and the mock's address in the demo workers' URLs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { parseAvt } from './avtCli.ts';
import { type ComposeService, composeContainers, loadCompose, ROOT } from './composeFile.ts';
import { type K8sContainer, loadManifests, ofKind, trackerContainers } from './k8sManifests.ts';
import type { TrackerContainer } from './trackerContainer.ts';

/** The port a container's process listens on, per the CLI: --metrics-port, or --port of serve and mock. */
async function listenPort(container: TrackerContainer): Promise<number | undefined> {
  const { command, options } = await parseAvt(container.args, container.env);
  const port = command.name() === 'worker' ? options.metricsPort : options.port;
  return port as number | undefined;
}

interface ScrapeJob {
  job_name: string;
  dns_sd_configs: { names: string[]; port: number }[];
}

const prometheus = parse(readFileSync(`${ROOT}deploy/prometheus/prometheus.yml`, 'utf8')) as {
  scrape_configs: ScrapeJob[];
};
const scrapeJob = (name: string) => {
  const job = prometheus.scrape_configs.find((config) => config.job_name === name);
  assert.ok(job, `deploy/prometheus/prometheus.yml has no job ${name}`);
  return job;
};

describe('compose.yaml: ports', () => {
  const compose = loadCompose();
  const containers = composeContainers(compose).filter(({ where }) => !where.endsWith('(healthcheck)'));
  const serviceOf = (container: TrackerContainer) =>
    compose.services[container.where.replace('compose service ', '')] as ComposeService;

  test('Prometheus scrapes every worker at its METRICS_PORT, under the alias all worker services share', async () => {
    const [target] = scrapeJob('avt-worker').dns_sd_configs;
    const workers = containers.filter(({ args }) => args[0] === 'worker');
    assert.ok(workers.length > 0);
    for (const worker of workers) {
      assert.equal(await listenPort(worker), target?.port, worker.where);
      assert.ok(
        serviceOf(worker).networks?.default?.aliases?.some((alias) => target?.names.includes(alias)),
        worker.where,
      );
    }
  });

  test('Prometheus and the load balancer reach the serve replicas on the port they listen on', async () => {
    const [serve] = containers.filter(({ args }) => args[0] === 'serve');
    assert.ok(serve);
    const port = await listenPort(serve);
    assert.equal(port, 8080);
    assert.deepEqual(scrapeJob('avt-serve').dns_sd_configs[0], { names: ['serve'], type: 'A', port });
    const nginx = readFileSync(`${ROOT}deploy/compose/nginx.conf`, 'utf8');
    assert.deepEqual(
      [...nginx.matchAll(/^\s*server\s+([^\s{;]+)[^{;]*;/gm)].map((m) => m[1]),
      [`serve:${port}`],
    );
    const listen = /^\s*listen\s+(\d+);/m.exec(nginx)?.[1];
    assert.deepEqual(compose.services.lb?.ports, [`127.0.0.1:8080:${listen}`]);
  });

  test("the demo workers' site and LLM URLs, and the mock's healthcheck, name the mock's port", async () => {
    const [mock] = containers.filter(({ args }) => args[0] === 'mock');
    assert.ok(mock);
    const port = await listenPort(mock);
    const urls = Object.entries(compose.services)
      .filter(([, service]) => service.profiles?.includes('demo') && service.command?.[0] === 'worker')
      .flatMap(([, service]) => [
        service.command?.[service.command.indexOf('--base-url') + 1],
        service.environment?.LLM_BASE_URL,
      ]);
    assert.ok(urls.length >= 8, 'the demo runs a maintenance process and three sources');
    for (const url of urls) assert.equal(new URL(url ?? '').host, `mock:${port}`, url);
    const check = compose.services.mock?.healthcheck?.test.at(-1);
    assert.equal(new URL(check ?? '').host, `127.0.0.1:${port}`);
  });
});

describe('deploy/k8s: ports', () => {
  const docs = loadManifests();
  const containers = trackerContainers(docs);

  /** A probe's or a Service's port: a number, or the name of one of the container's ports. */
  const resolve = (container: K8sContainer, port: number | string | undefined) =>
    typeof port === 'number'
      ? port
      : container.container.ports?.find(({ name }) => name === port)?.containerPort;

  test('each container exposes the port its process listens on, and its probes ask that port', async () => {
    for (const container of containers) {
      const port = await listenPort(container);
      const { ports = [], livenessProbe, readinessProbe, startupProbe } = container.container;
      if (container.args[0] === 'migrate') {
        assert.deepEqual(ports, [], container.where);
        continue;
      }
      assert.ok(port, `${container.where} listens on no port (METRICS_PORT unset?)`);
      assert.deepEqual(
        ports.map(({ containerPort }) => containerPort),
        [port],
        container.where,
      );
      for (const probe of [livenessProbe, readinessProbe, startupProbe].filter(
        (probe) => probe !== undefined,
      )) {
        assert.equal(resolve(container, probe.httpGet?.port), port, `${container.where}: a probe`);
      }
      const annotations = container.workload.pod.metadata?.annotations;
      if (annotations?.['prometheus.io/port']) {
        assert.equal(
          Number(annotations['prometheus.io/port']),
          port,
          `${container.where}: prometheus.io/port`,
        );
      }
    }
  });

  test("each Service's targetPort reaches the listening port of every pod it selects", async () => {
    const services = ofKind<IService>(docs, 'Service');
    assert.ok(services.length > 0);
    for (const service of services) {
      const selector = Object.entries(service.spec?.selector ?? {});
      const selected = containers.filter(({ workload }) =>
        selector.every(([key, value]) => workload.pod.metadata?.labels?.[key] === value),
      );
      assert.ok(selected.length > 0, `Service ${service.metadata?.name} selects no pod`);
      for (const container of selected) {
        for (const { targetPort } of service.spec?.ports ?? []) {
          assert.equal(
            resolve(container, targetPort),
            await listenPort(container),
            `${service.metadata?.name} → ${container.where}`,
          );
        }
      }
    }
  });
});
