// The avt command line as bin/avt parses it (src/cli/program.ts), for checking what the deployment files pass
// to the image: arguments and environment go through commander exactly as in a container, and nothing runs.
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { avtProgram } from '../../src/cli/program.ts';
import { ROOT } from './composeFile.ts';

export interface ParsedCommand {
  command: Command;
  /** The option values, from the arguments, the environment and the defaults. */
  options: Record<string, unknown>;
}

/**
 * Parses `args` (e.g. `worker --ai-source chatgpt`) with `env` as the whole environment; throws commander's
 * error for an unknown command or option, or a value its parser or choices refuse.
 */
export async function parseAvt(args: string[], env: Record<string, string>): Promise<ParsedCommand> {
  const program = avtProgram();
  let parsed: ParsedCommand | undefined;
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    for (const sub of command.commands) {
      sub.action(() => {
        parsed = { command: sub, options: sub.opts() };
      });
      quiet(sub);
    }
  };
  quiet(program);
  const saved = process.env;
  process.env = { ...env };
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.env = saved;
  }
  if (!parsed) throw new Error(`no avt command in '${args.join(' ')}'`);
  return parsed;
}

const optionsOf = (command: Command): readonly Option[] => command.options;

/** Which command reads each option's environment variable (SERVE_PORT → serve, WORKER_ID → worker, ...). */
export function optionVariables(): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const command of avtProgram().commands) {
    for (const option of optionsOf(command)) {
      if (option.envVar) readers.set(option.envVar, [...(readers.get(option.envVar) ?? []), command.name()]);
    }
  }
  return readers;
}

/**
 * The variables docs/configuration.md documents (a name in backticks: `DATABASE_URL`, `AVT_<SOURCE>_URL`),
 * as patterns: the ones read outside commander (DATABASE_URL, AVT_API_TOKEN, LLM_API_KEY, ...) live there.
 */
export function documentedVariables(): RegExp[] {
  const page = readFileSync(`${ROOT}docs/configuration.md`, 'utf8');
  const names = new Set([...page.matchAll(/`([A-Z][A-Z0-9_]*(?:<[A-Z]+>[A-Z0-9_]*)*)`/g)].map((m) => m[1]));
  return [...names].map(
    (name) => new RegExp(`^${(name as string).replace(/<[A-Z]+>/g, '[A-Z][A-Z0-9_]*')}$`),
  );
}
