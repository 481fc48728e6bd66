import { type Command, Option } from 'commander';
import { DEFAULT_IDLE_TIMEOUT_MS, type PoolSettings } from '../../db/pool.ts';
import { integer } from '../parsers.ts';

/**
 * The connection limits of a long-running process (a worker, `avt serve`): its pool's size, a statement
 * timeout, and how long an idle connection is kept. Each process logs at start how many it may open.
 */
export function addDbOptions(command: Command, poolMaxDefault: string): Command {
  return command
    .addOption(
      new Option(
        '--db-pool-max <n>',
        `database connections in this process's pool; default: ${poolMaxDefault}`,
      )
        .env('DB_POOL_MAX')
        .argParser(integer(1, 1_000)),
    )
    .addOption(
      new Option(
        '--db-statement-timeout-ms <ms>',
        "cancel any statement running longer (PostgreSQL's statement_timeout); 0: the server's setting",
      )
        .env('DB_STATEMENT_TIMEOUT_MS')
        .argParser(integer(0, 86_400_000))
        .default(0),
    )
    .addOption(
      new Option('--db-idle-timeout-ms <ms>', 'close a pooled connection idle this long')
        .env('DB_IDLE_TIMEOUT_MS')
        .argParser(integer(1_000, 86_400_000))
        .default(DEFAULT_IDLE_TIMEOUT_MS),
    );
}

export function toPoolSettings(options: Record<string, unknown>): PoolSettings {
  return {
    max: options.dbPoolMax as number | undefined,
    statementTimeoutMs: (options.dbStatementTimeoutMs as number) || undefined,
    idleTimeoutMs: options.dbIdleTimeoutMs as number,
  };
}
