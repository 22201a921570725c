import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mustRun } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import { main } from './program.js';

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
