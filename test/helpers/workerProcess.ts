import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { binDir } from './cli.ts';

export const scriptedHandler = fileURLToPath(new URL('../fixtures/scriptedHandler.ts', import.meta.url));
/** Answers every prompt with the mock's chatgpt answer, no browser (test/fixtures/mockAnswerHandler.ts). */
export const mockAnswerHandler = fileURLToPath(new URL('../fixtures/mockAnswerHandler.ts', import.meta.url));

export interface LogLine {
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

export interface SpawnedWorker {
  child: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first log line matching `predicate` (already seen or still to come). */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** Starts `bin/worker` as a real process with the scripted test handler, JSON logs collected. */
export function spawnWorker(args: string[], env: Record<string, string>): SpawnedWorker {
  return spawnBin('worker', ['--handler', scriptedHandler, ...args], env);
}

/** Starts `bin/<command>` as a real process, its JSON log lines collected. */
export function spawnBin(command: string, args: string[], env: Record<string, string>): SpawnedWorker {
  const child = spawn(`${binDir}${command}`, args, {
    env: { ...process.env, LOG_FORMAT: 'json', DB_CONNECT_TIMEOUT_SECONDS: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text);
      } catch {
        line = { msg: text };
      }
      logs.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (predicate, timeoutMs = 20_000) => {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(`no matching worker log line within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`),
          );
        }, timeoutMs);
        const listener = (line: LogLine) => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then(() => {
          if (!listeners.has(listener)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          reject(new Error(`worker exited before the expected log line; stderr: ${stderr.slice(-500)}`));
        });
      });
    },
  };
}
