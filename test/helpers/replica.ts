import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.ts';

/** A PostgreSQL primary and a streaming replica of it, each a server of its own on a free loopback port. */
export interface StreamingPair {
  primaryUrl: string;
  replicaUrl: string;
  stop(): Promise<void>;
}

/** The directory of PostgreSQL's server programs with pg_basebackup (Debian's package), if installed. */
export function postgresBinDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'pg_basebackup')) && existsSync(join(dir, 'initdb'))) return dir;
  } catch {}
  return undefined;
}

/**
 * initdb a primary in a temporary directory, `pg_basebackup -R` a replica from it, and start both. As root
 * (PostgreSQL refuses to run as root) they run as the `postgres` user.
 */
export async function startStreamingPair(binDir: string): Promise<StreamingPair> {
  const root = await mkdtemp(join(tmpdir(), 'avt-replica-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    await chown(root, uid, gid);
  }
  await chmod(root, 0o700);
  const run = (program: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : join(binDir, program),
      asRoot ? ['-u', 'postgres', '--', join(binDir, program), ...args] : args,
      {
        stdio: 'pipe',
        timeout: 60_000,
      },
    );
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = join(root, 'primary');
  const replica = join(root, 'replica');
  const serverOptions = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_wal_senders=4`;
  const started: string[] = [];
  const stop = async () => {
    for (const dir of started.reverse()) {
      try {
        run('pg_ctl', ['-D', dir, '-m', 'immediate', 'stop']);
      } catch {}
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    run('pg_ctl', [
      '-D',
      primary,
      '-o',
      serverOptions(primaryPort),
      '-l',
      join(root, 'primary.log'),
      '-w',
      'start',
    ]);
    started.push(primary);
    run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replica,
      '-R',
      '-X',
      'stream',
    ]);
    run('pg_ctl', [
      '-D',
      replica,
      '-o',
      serverOptions(replicaPort),
      '-l',
      join(root, 'replica.log'),
      '-w',
      'start',
    ]);
    started.push(replica);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
    stop,
  };
}
