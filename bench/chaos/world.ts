import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../src/browser/findChromium.ts';
import { startMockPlatform } from '../../src/mock/server.ts';
import { OwnPostgres } from '../../test/helpers/ownPostgres.ts';
import { Fleet } from './fleet.ts';
import type { BatchOptions } from './runScenario.ts';

export interface WorldOptions {
  maxConnections: number;
  latencyMs: number;
}

/**
 * What a batch runs in: a PostgreSQL server of its own, the bundled mock (sites and LLM) with answers
 * taking `latencyMs`, the Chromium the workers launch, and a directory for their logs.
 */
export async function startWorld(options: WorldOptions): Promise<{
  world: Pick<BatchOptions, 'chromiumPath' | 'mockUrl' | 'llmBaseUrl' | 'logDir'>;
  server: OwnPostgres;
  close(): Promise<void>;
}> {
  const chromium = await findChromium();
  const server = await OwnPostgres.start(options.maxConnections);
  const mock = await startMockPlatform({ port: 0, latencyMs: options.latencyMs });
  const logDir = await mkdtemp(join(tmpdir(), 'avt-chaos-logs-'));
  // Interrupted (Ctrl-C, a kill of this process alone): leave no worker, browser or server behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const fleet of Fleet.running) fleet.killAll();
      void Promise.allSettled([mock.close(), server.destroy()]).then(() => process.exit(130));
    });
  }
  return {
    world: { chromiumPath: chromium.executablePath, mockUrl: mock.url, llmBaseUrl: mock.llmBaseUrl, logDir },
    server,
    close: async () => {
      await mock.close();
      await server.destroy();
    },
  };
}
