import { avtProgram } from './program.ts';
import { runCli } from './run.ts';

await runCli(avtProgram());
