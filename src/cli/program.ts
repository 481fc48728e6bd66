import { Command } from 'commander';
import { registerArchive } from './commands/archive.ts';
import { registerBrands } from './commands/brands.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEnqueue } from './commands/enqueue.ts';
import { registerExtract } from './commands/extract.ts';
import { registerHealthcheck } from './commands/healthcheck.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerMock } from './commands/mock.ts';
import { registerPause } from './commands/pause.ts';
import { registerReextract } from './commands/reextract.ts';
import { registerReport } from './commands/report.ts';
import { registerResume } from './commands/resume.ts';
import { registerRetryDead } from './commands/retryDead.ts';
import { registerRound } from './commands/round.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { defineWorkerCommand } from './commands/worker.ts';

/** The avt command with every subcommand, unparsed: bin/avt runs it, the deployment tests read its options. */
export function avtProgram(): Command {
  const program = new Command('avt').description(
    'AI visibility tracker: asks AI assistants a fixed set of prompts and measures brand visibility.\n\n' +
      'The database: DATABASE_URL, or when unset an embedded PostgreSQL kept under .avt/.\n' +
      "Enqueue work with SQL:  INSERT INTO prompts (text) VALUES ('best CRM for startups');",
  );
  registerDemo(program);
  registerMigrate(program);
  registerStatus(program);
  registerRound(program);
  registerPause(program);
  registerResume(program);
  registerRetryDead(program);
  registerEnqueue(program);
  registerBrands(program);
  registerMock(program);
  registerExtract(program);
  registerReextract(program);
  registerArchive(program);
  registerServe(program);
  registerReport(program);
  registerHealthcheck(program);
  registerDoctor(program);
  defineWorkerCommand(program.command('worker'));
  return program;
}
