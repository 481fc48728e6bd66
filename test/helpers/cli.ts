import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const binDir = fileURLToPath(new URL('../../bin/', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/<command>` as an operator would, with extra environment variables (and `input` on stdin, which
 * is otherwise closed), and collects its output.
 */
export function runBin(
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
) {
  return runProgram(`${binDir}${command}`, args, env, input);
}

/** Runs an executable (another build's `bin/avt`, say) the way runBin runs ours. */
export function runProgram(
  path: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
) {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(path, args, {
      env: { ...process.env, LOG_FORMAT: 'json', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
