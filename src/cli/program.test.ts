import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mustRun } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import { buildProgram, main } from './program.js';

let out: string;
let err: string;
beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** A program whose one command `boom` throws what the test gives it. */
const throwing = (thrown: () => Promise<void>) => () => {
  const p = new Command('mailctl').exitOverride();
  p.command('boom').option('--json').action(thrown);
  return p;
};

const missing = '/nonexistent/cluster.yaml';

describe('exit codes', () => {
  it('0 for a valid cluster file, given by --cluster or by position', async () => {
    expect(await main(['validate', '--cluster', 'examples/cluster.yaml'])).toBe(0);
    expect(await main(['validate', 'examples/cluster.yaml'])).toBe(0);
    expect(out).toMatch(/^examples\/cluster.yaml: valid \(1 host\(s\), \d+ domain\(s\)\)\n/);
  });

  it('validate refuses two different files', async () => {
    expect(await main(['validate', 'a.yaml', '--cluster', 'b.yaml'])).toBe(2);
    expect(err).toMatch(/^mailctl: E_USAGE: two cluster files given/);
  });

  it('validate reads the default cluster file of every other command', async () => {
    expect(await main(['validate'])).toBe(2);
    expect(err).toContain('/etc/mailctl/cluster.yaml');
  });

  it('2 for an invalid cluster file, every problem on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailctl-cli-'));
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, 'not: [a, cluster]\n');
    expect(await main(['validate', '--cluster', file])).toBe(2);
    expect(err).toMatch(/^mailctl: E_\w+: .*cluster.yaml: \d+ problems?\n/);
  });

  it('1 for a failed operation: a subprocess that fails is a user error naming it', async () => {
    const code = await main(
      ['boom'],
      throwing(() => mustRun('false', []).then(() => undefined)),
    );
    expect(code).toBe(1);
    expect(err).toBe('mailctl: E_COMMAND_FAILED: false exited 1\n');
  });

  it('2 for bad usage, with commander’s message', async () => {
    expect(await main(['validate', '--no-such-option'])).toBe(2);
    expect(err).toContain("unknown option '--no-such-option'");
  });

  it('2 for bad input', async () => {
    expect(await main(['validate', '--cluster', missing])).toBe(2);
    expect(err).toBe(
      `mailctl: E_SPEC_UNREADABLE: cannot read the cluster file ${missing}: ` +
        `ENOENT: no such file or directory, open '${missing}'\n`,
    );
  });

  it('3 when the lab is not running (lab status)', async () => {
    expect(await main(['lab', 'status', '--name', 'nolabzz9'])).toBe(3);
    expect(out).toMatch(/nolabzz9/);
  });

  it('70 for a bug, with its stack', async () => {
    const code = await main(
      ['boom'],
      throwing(async () => {
        throw new TypeError('x is undefined');
      }),
    );
    expect(code).toBe(70);
    expect(err).toMatch(
      /internal error \(a bug, please report it\)[\s\S]*TypeError: x is undefined\n\s+at /,
    );
  });
});

describe('--json errors', () => {
  const parsed = () => JSON.parse(out) as { error: { code: string; message: string } };

  it('a user error is one JSON object on stdout, nothing on stderr', async () => {
    expect(await main(['validate', '--json', '--cluster', missing])).toBe(2);
    expect(parsed().error.code).toBe('E_SPEC_UNREADABLE');
    expect(parsed().error.message).toContain(missing);
    expect(err).toBe('');
  });

  it('a usage error too', async () => {
    expect(await main(['validate', '--json', '--bogus'])).toBe(2);
    expect(parsed()).toEqual({ error: { code: 'E_USAGE', message: "unknown option '--bogus'" } });
    expect(err).toBe('');
  });

  it('a failed operation keeps its exit code', async () => {
    const code = await main(
      ['boom', '--json'],
      throwing(async () => {
        throw new UserError('E_SOMETHING', 'it failed', { exitCode: 1 });
      }),
    );
    expect(code).toBe(1);
    expect(parsed()).toEqual({ error: { code: 'E_SOMETHING', message: 'it failed' } });
  });

  it('a bug is E_INTERNAL on stdout, its stack on stderr', async () => {
    const code = await main(
      ['boom', '--json'],
      throwing(async () => {
        throw new RangeError('off by one');
      }),
    );
    expect(code).toBe(70);
    expect(parsed().error.code).toBe('E_INTERNAL');
    expect(parsed().error.message).toContain('off by one');
    expect(err).toMatch(/RangeError: off by one/);
  });

  it('--json after -- belongs to another program', async () => {
    expect(await main(['validate', '--bogus', '--', '--json'])).toBe(2);
    expect(out).toBe('');
  });
});

describe('commands that need root', () => {
  const as = (uid: number) => () => buildProgram({ getuid: () => uid });

  it.each([
    ['apply', '--cluster', missing],
    ['mailbox', 'add', 'someone@example.org'],
    ['history', 'show', 'HEAD'],
    ['vpn', 'peer', 'add', 'laptop'],
    ['tls', 'renew'],
    ['audit', '--no-tls'],
    ['lab', 'up', '--name', 'nolabzz9'],
  ])('refuse a user up front: %s %s', async (...argv) => {
    expect(await main(argv, as(1000))).toBe(2);
    expect(err).toMatch(
      new RegExp(
        `^mailctl: E_NEED_ROOT: mailctl ${argv[0]} .*must run as root \\(you are uid 1000\\)`,
      ),
    );
    expect(out).toBe('');
  });

  it('say so in JSON too', async () => {
    expect(await main(['mailbox', 'list', '--json'], as(1000))).toBe(2);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'E_NEED_ROOT' } });
  });

  it('run for root, up to their own first problem', async () => {
    expect(await main(['apply', '--cluster', missing], as(0))).toBe(2);
    expect(err).toMatch(/^mailctl: E_SPEC_UNREADABLE: /);
  });

  it('do not include validate, lab status, or audit --remote', async () => {
    expect(await main(['validate', '--cluster', 'examples/cluster.yaml'], as(1000))).toBe(0);
    expect(await main(['lab', 'status', '--name', 'nolabzz9'], as(1000))).toBe(3);
    // It gets past the root check to its own refusal of the bad side.
    expect(await main(['audit', '--remote', '192.0.2.1', '--side', 'moon'], as(1000))).toBe(2);
    expect(err).not.toContain('E_NEED_ROOT');
  });
});

describe('--json on history show, rollback and tls renew', () => {
  const asRoot = () => buildProgram({ getuid: () => 0 });
  const error = () => (JSON.parse(out) as { error: { code: string; message: string } }).error;

  it.each([
    [['history', 'show', '--json', 'HEAD~1'], 'E_BAD_REVISION'],
    [['rollback', '--json', 'HEAD~1'], 'E_BAD_REVISION'],
    [['tls', 'renew', '--json', '--cluster', 'examples/cluster.yaml'], 'E_TLS_NOT_ACME'],
  ])('%j refuses with a JSON error', async (argv, code) => {
    expect(await main(argv, asRoot)).toBe(2);
    expect(error().code).toBe(code);
    expect(err).toBe('');
  });
});
