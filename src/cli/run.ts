import { type Command, CommanderError } from 'commander';
import { UsageError } from '../usageError.ts';

/** Parses argv and runs the command; a usage mistake exits 2 with one line, a failure exits 1. */
export async function runCli(program: Command, argv: string[] = process.argv): Promise<void> {
  // Subcommands copy the setting only when created after it, so set it on every command here.
  const throwInsteadOfExit = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(throwInsteadOfExit);
  };
  throwInsteadOfExit(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed the message (or the help text)
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${program.name()}: ${message}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
