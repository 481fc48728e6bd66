// What compose.yaml and the Kubernetes manifests pass to the image exists in the CLI: each container's command
// and flags parse with bin/avt's own commander program, its environment values pass the options' parsers,
// and every variable is read by that command (an option's variable) or is one docs/configuration.md lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { documentedVariables, optionVariables, parseAvt } from './avtCli.ts';
import { composeContainers, loadCompose } from './composeFile.ts';
import { loadManifests, trackerContainers } from './k8sManifests.ts';
import type { TrackerContainer } from './trackerContainer.ts';

const readers = optionVariables();
const documented = documentedVariables();

/** Why each variable of the container is not one its command reads, if any. */
function strayVariables({ env }: TrackerContainer, command: string): string[] {
  return Object.keys(env).flatMap((name) => {
    const readBy = readers.get(name);
    if (readBy)
      return readBy.includes(command) ? [] : [`${name} is read by ${readBy.join(', ')}, not ${command}`];
    return documented.some((pattern) => pattern.test(name))
      ? []
      : [`${name} is in no option nor in docs/configuration.md`];
  });
}

async function checkContainers(containers: TrackerContainer[]) {
  assert.ok(containers.length > 0, 'no container of the image found');
  for (const container of containers) {
    const { command } = await parseAvt(container.args, container.env).catch((error: Error) => {
      throw new Error(`${container.where}: avt ${container.args.join(' ')}: ${error.message}`, {
        cause: error,
      });
    });
    assert.deepEqual(strayVariables(container, command.name()), [], container.where);
  }
}

describe('the deployment files use only what the CLI has', () => {
  test('compose.yaml: every command, flag and variable of every service and healthcheck', async () => {
    await checkContainers(composeContainers(loadCompose()));
  });

  test('deploy/k8s: every command, flag and variable of every container of the image', async () => {
    await checkContainers(trackerContainers(loadManifests()));
  });

  test('the check refuses an unknown flag, a bad value, and a variable of another command', async () => {
    // Each of these must fail, or the two tests above prove nothing.
    await assert.rejects(
      parseAvt(['worker', '--ai-source', 'chatgpt', '--no-such-flag'], {}),
      /unknown option/,
    );
    await assert.rejects(parseAvt(['worker'], { WORKER_CONCURRENCY: 'two' }), /whole number/);
    await assert.rejects(parseAvt(['worker'], { BROWSER_MODE: 'tabs' }), /Allowed choices/);
    await assert.rejects(parseAvt(['no-such-command'], {}), /unknown command/);
    assert.deepEqual(strayVariables({ where: 'x', args: [], env: { SERVE_PORT: '1' } }, 'worker'), [
      'SERVE_PORT is read by serve, not worker',
    ]);
    assert.deepEqual(strayVariables({ where: 'x', args: [], env: { NO_SUCH_VARIABLE: '1' } }, 'worker'), [
      'NO_SUCH_VARIABLE is in no option nor in docs/configuration.md',
    ]);
  });
});
