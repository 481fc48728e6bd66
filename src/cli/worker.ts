import { Command } from 'commander';
import { defineWorkerCommand } from './commands/worker.ts';
import { runCli } from './run.ts';

await runCli(defineWorkerCommand(new Command('worker')));
