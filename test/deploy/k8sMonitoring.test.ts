// deploy/k8s/ carries the dashboard and the alert rules as they are in deploy/grafana/ and deploy/prometheus/:
// the ConfigMaps hold the files byte for byte, the PrometheusRule holds alerts.yml's groups, so the rules
// promtool tests (alertRules.test.ts) are the rules a cluster gets. After changing either file, copy it
// into deploy/k8s/monitoring.yaml and prometheus-rule.yaml.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parse } from 'yaml';
import { ROOT } from './composeFile.ts';
import { findObject, loadManifests } from './k8sManifests.ts';

const alerts = readFileSync(`${ROOT}deploy/prometheus/alerts.yml`, 'utf8');
const dashboard = readFileSync(`${ROOT}deploy/grafana/dashboard.json`, 'utf8');

describe('deploy/k8s/ monitoring', () => {
  const docs = loadManifests();

  test("the dashboard's ConfigMap holds dashboard.json, labelled for Grafana's sidecar", () => {
    const configMap = findObject<IConfigMap>(docs, 'ConfigMap', 'avt-grafana-dashboard');
    assert.equal(configMap.data?.['avt.json'], dashboard, 'copy deploy/grafana/dashboard.json into it');
    assert.equal(configMap.metadata?.labels?.grafana_dashboard, '1');
  });

  test("the rules' ConfigMap holds alerts.yml", () => {
    const configMap = findObject<IConfigMap>(docs, 'ConfigMap', 'avt-prometheus-rules');
    assert.equal(configMap.data?.['alerts.yml'], alerts, 'copy deploy/prometheus/alerts.yml into it');
  });

  test("the PrometheusRule holds alerts.yml's groups, every alert of them", () => {
    const rule = findObject<IPrometheusRule>(docs, 'PrometheusRule', 'avt');
    assert.deepEqual(rule.spec, parse(alerts), 'copy the groups of deploy/prometheus/alerts.yml into it');
    assert.deepEqual(
      rule.spec.groups?.flatMap((group) => group.rules?.map((r) => r.alert)),
      [
        'AvtDeadRunsRising',
        'AvtOldestEligibleRunTooOld',
        'AvtSourceWithoutWorkers',
        'AvtSourcePaused',
        'AvtLlmBreakerOpen',
      ],
    );
  });
});
