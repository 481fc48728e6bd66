// compose.yaml's Prometheus loads the alert rules and its Grafana the dashboard: each mount, followed from the
// host file to the path the container's configuration names, ends at the file the other tests check.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadCompose, ROOT } from './composeFile.ts';

const { services } = loadCompose();

/** The host file behind `path` in a service's container, through its bind mounts (longest target first). */
function hostPath(service: string, path: string): string | undefined {
  const binds = (services[service]?.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source?.startsWith('./'))
    .sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0));
  for (const [source, target] of binds) {
    if (source === undefined || target === undefined) continue;
    if (path === target) return `${ROOT}${source.slice(2)}`;
    if (path.startsWith(`${target}/`)) return `${ROOT}${source.slice(2)}${path.slice(target.length)}`;
  }
  return undefined;
}

test("Prometheus's configuration lists alerts.yml, mounted beside it", () => {
  const config = '/etc/prometheus/prometheus.yml';
  assert.ok(services.prometheus?.command?.includes(`--config.file=${config}`));
  const host = hostPath('prometheus', config);
  assert.equal(host, `${ROOT}deploy/prometheus/prometheus.yml`);
  const { rule_files: ruleFiles } = parse(readFileSync(host, 'utf8')) as { rule_files: string[] };
  assert.deepEqual(
    ruleFiles.map((file) => hostPath('prometheus', posix.join(posix.dirname(config), file))),
    [`${ROOT}deploy/prometheus/alerts.yml`],
  );
});

test("Grafana's dashboard provider points at a folder where dashboard.json is mounted", () => {
  const provider = hostPath('grafana', '/etc/grafana/provisioning/dashboards/avt.yaml');
  assert.ok(provider && existsSync(provider), 'the provider is in the provisioning folder');
  const { providers } = parse(readFileSync(provider, 'utf8')) as {
    providers: { options: { path: string } }[];
  };
  const folder = providers[0]?.options.path;
  assert.equal(hostPath('grafana', `${folder}/avt.json`), `${ROOT}deploy/grafana/dashboard.json`);
});
