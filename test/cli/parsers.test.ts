import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { integer, switchOption } from '../../src/cli/parsers.ts';

/** Parses argv with the given environment variables set, as a command of ours would. */
function parse(argv: string[], env: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const command = new Command()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .addOption(switchOption('--once', 'drain, then exit', 'TEST_ONCE'))
      .addOption(switchOption('--no-migrate', 'do not migrate', 'TEST_NO_MIGRATE'))
      .option('--jobs <n>', 'jobs', integer(1));
    command.parse(argv, { from: 'user' });
    return command.opts<{ once?: boolean; migrate: boolean; jobs?: number }>();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('switches read one way from the command line and the environment', () => {
  test('a bare switch is on; its variable turns it on or off by value, not by being set', () => {
    assert.equal(parse([], {}).once, undefined);
    assert.equal(parse(['--once'], {}).once, true);
    assert.equal(parse([], { TEST_ONCE: '1' }).once, true);
    assert.equal(parse([], { TEST_ONCE: 'yes' }).once, true);
    assert.equal(parse([], { TEST_ONCE: '0' }).once, false);
    assert.equal(parse([], { TEST_ONCE: 'false' }).once, false);
    assert.equal(parse(['--once'], { TEST_ONCE: '0' }).once, true, 'the command line wins');
  });

  test('a --no- switch and its NO_ variable say the same thing', () => {
    assert.equal(parse([], {}).migrate, true);
    assert.equal(parse(['--no-migrate'], {}).migrate, false);
    assert.equal(parse([], { TEST_NO_MIGRATE: '1' }).migrate, false);
    assert.equal(parse([], { TEST_NO_MIGRATE: '0' }).migrate, true);
  });

  test('a value that is not yes or no is refused, naming it', () => {
    assert.throws(
      () => parse([], { TEST_ONCE: 'maybe' }),
      /must be one of 1, true, yes, on, 0, false, no, off, got 'maybe'/,
    );
  });

  test('whole numbers are parsed one way, with their bounds in the message', () => {
    assert.equal(parse(['--jobs', '3'], {}).jobs, 3);
    assert.throws(() => parse(['--jobs', '0'], {}), /must be a whole number from 1 to/);
    assert.throws(() => parse(['--jobs', '2.5'], {}), /must be a whole number from 1 to/);
  });
});
