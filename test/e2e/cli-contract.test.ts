import { beforeAll, describe, expect, it } from 'vitest';
import { labHost } from './support/cli.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 10, "A CLI contract", with the bundled CLI on a lab host: --json reports of history
// show and rollback, errors as one JSON object on stdout, exit codes, and commands that
// need root refusing another user up front. It changes nothing on the host.
const LAB = SHARED_LAB;
const { run: onHost } = labHost(LAB);

interface ErrorDocument {
  error: { code: string; message: string };
}

beforeAll(() => {
  useSharedLab();
});

describe('mailctl on a lab host: the CLI contract', () => {
  const latest = () => {
    const log = JSON.parse(onHost(['mailctl', 'history', '--json']).stdout) as {
      rev: string;
      subject: string;
    }[];
    expect(log.length).toBeGreaterThan(0);
    return log[0] ?? { rev: '', subject: '' };
  };

  it('history show --json: the revision, the host paths it changed and its patch', () => {
    const { rev, subject } = latest();
    const r = onHost(['mailctl', 'history', 'show', '--json', rev]);
    expect(r.code, r.stderr).toBe(0);
    const show = JSON.parse(r.stdout) as {
      rev: string;
      subject: string;
      date: string;
      files: string[];
      patch: string;
    };
    expect(show).toMatchObject({ rev, subject });
    expect(Date.parse(show.date)).not.toBeNaN();
    expect(show.files.length).toBeGreaterThan(0);
    for (const path of show.files) {
      expect(path).toMatch(/^\//);
      expect(show.patch).toContain(`b/files${path}`);
    }
  });

  it('rollback --json to the revision the host is at: nothing changes, and it says so', () => {
    // The host is at the cluster file's state, which the latest revision records.
    const apply = onHost(['mailctl', 'apply']);
    expect(apply.code, apply.stderr).toBe(0);
    const { rev } = latest();
    const r = onHost(['mailctl', 'rollback', '--json', rev]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      rev,
      changed: false,
      commit: null,
      keptAsRendered: [],
      removed: [],
    });
    expect(latest().rev).toBe(rev);
  });

  it('errors in --json mode are one JSON object on stdout, with the documented exit codes', () => {
    const cases: [string[], number, string][] = [
      [['rollback', '--json', '0000000'], 2, 'E_BAD_REVISION'],
      [['history', 'show', '--json', 'HEAD~1'], 2, 'E_BAD_REVISION'],
      [['validate', '--json', '--cluster', '/nonexistent.yaml'], 2, 'E_SPEC_UNREADABLE'],
      [['validate', '--json', '--no-such-option'], 2, 'E_USAGE'],
    ];
    for (const [args, code, error] of cases) {
      const r = onHost(['mailctl', ...args]);
      expect(r.code, args.join(' ')).toBe(code);
      expect((JSON.parse(r.stdout) as ErrorDocument).error.code).toBe(error);
      expect(r.stderr).toBe('');
    }
  });

  it('refuses a command that needs root to another user before it does anything', () => {
    const asNobody = (args: string[]) =>
      onHost(['runuser', '-u', 'nobody', '--', 'mailctl', ...args]);
    const human = asNobody(['mailbox', 'list']);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^mailctl: E_NEED_ROOT: mailctl mailbox list .*must run as root/);
    const json = asNobody(['mailbox', 'list', '--json']);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as ErrorDocument).error.code).toBe('E_NEED_ROOT');
    // validate needs no root.
    const validate = asNobody(['validate', '--cluster', '/etc/mailctl/cluster.yaml']);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^\/etc\/mailctl\/cluster.yaml: valid /);
  });
});
