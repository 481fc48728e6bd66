import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' });
}

/**
 * Unpacks into `dir` the build just before `file` was added (HEAD while the file is not yet committed), with
 * this checkout's node_modules; returns the path of its bin/avt. What an upgrade test migrates from.
 */
export async function unpackBuildBefore(file: string, dir: string): Promise<string> {
  const added = git(['log', '--diff-filter=A', '--format=%H', '--', file]).trim();
  const previous = added ? `${added}^` : 'HEAD';
  await writeFile(
    join(dir, 'build.tar'),
    execFileSync('git', ['archive', previous, 'bin', 'scripts', 'src', 'sql', 'migrations', 'package.json'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  execFileSync('tar', ['-xf', 'build.tar'], { cwd: dir });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'avt');
}
