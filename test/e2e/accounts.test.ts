import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHost, uniqueTag } from './support/cli.js';
import { imapFetchAll } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 10, "Accounts: one source of truth": the cluster file owns what it declares, the CLI
// owns the rest, and apply never undoes what the CLI did.
const LAB = SHARED_LAB;
const HOST_CLUSTER = '/etc/mailctl/cluster.yaml';
// A copy of the host's cluster file that declares one more mailbox; the host's own file is
// never edited, so a failed run cannot leave the shared lab declaring it.
const EXTRA_CLUSTER = '/root/accounts-test-cluster.yaml';
const GRACE = { user: 'grace@example.net', pass: 'correct horse battery staple 21' };
const SEEDED = 'heidi@example.net';
const SECRET = `/etc/mailctl/secrets/mailbox-${SEEDED}`;
const LOOP = ['loopa@example.net', 'loopb@example.net', 'loopc@example.net'];

const { run: onHost } = labHost(LAB);

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const apply = (cluster = HOST_CLUSTER) =>
  ok(onHost(['mailctl', 'apply', '--cluster', cluster], ''));
const mailboxes = () =>
  (JSON.parse(ok(onHost(['mailctl', 'mailbox', 'list', '--json']))) as { address: string }[]).map(
    (m) => m.address,
  );
const secret = () => onHost(['cat', SECRET]);

describe('accounts have one owner each', () => {
  beforeAll(() => {
    useSharedLab();
    const cluster = ok(onHost(['cat', HOST_CLUSTER]));
    const declared = cluster.replace(
      /^( *)- local_part: postmaster\n/m,
      (line, indent: string) => `${line}${indent}- local_part: ${SEEDED.split('@')[0]}\n`,
    );
    expect(declared).not.toBe(cluster);
    ok(onHost(['bash', '-c', `cat > ${EXTRA_CLUSTER}`], declared));
    // An earlier run may have left them.
    for (const m of [GRACE.user, SEEDED]) onHost(['mailctl', 'mailbox', 'remove', m]);
    for (const a of LOOP) onHost(['mailctl', 'alias', 'remove', a]);
  });

  afterAll(() => {
    for (const m of [GRACE.user, SEEDED]) onHost(['mailctl', 'mailbox', 'remove', m]);
    for (const a of LOOP) onHost(['mailctl', 'alias', 'remove', a]);
    onHost(['rm', '-f', EXTRA_CLUSTER]);
  });

  it('keeps a mailbox made with the CLI, and its password, across an apply', () => {
    ok(onHost(['mailctl', 'mailbox', 'add', GRACE.user, '--password-stdin'], `${GRACE.pass}\n`));
    apply();
    expect(mailboxes()).toContain(GRACE.user);
    expect(imapFetchAll(LAB, 'vpn', VPN, GRACE.user, GRACE.pass).loginOk).toBe(true);
  });

  it('never brings back a removed mailbox, nor its old password', () => {
    // Declared, seeded by apply with a generated first password ...
    apply(EXTRA_CLUSTER);
    const first = secret();
    expect(first.code, first.stderr).toBe(0);
    expect(imapFetchAll(LAB, 'vpn', VPN, SEEDED, first.stdout.trim()).loginOk).toBe(true);
    // ... while declared, the CLI may not remove it, and says which line owns it ...
    const refused = onHost(['mailctl', 'mailbox', 'remove', SEEDED, '--cluster', EXTRA_CLUSTER]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `E_DECLARED_IN_CLUSTER_FILE: mailbox ${SEEDED} is declared in ${EXTRA_CLUSTER}:\\d+`,
      ),
    );
    // ... then no longer declared, removed with the CLI: its secret goes with it ...
    const removed = ok(onHost(['mailctl', 'mailbox', 'remove', SEEDED]));
    expect(removed).toContain(`removed mailbox ${SEEDED}`);
    expect(secret().code).not.toBe(0);
    // ... and an apply of the file that does not declare it leaves it removed.
    apply();
    expect(mailboxes()).not.toContain(SEEDED);
    expect(imapFetchAll(LAB, 'vpn', VPN, SEEDED, first.stdout.trim()).loginOk).toBe(false);
    // Declared again, it comes back as a new mailbox: a new first password, not the old one.
    apply(EXTRA_CLUSTER);
    const second = secret();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim()).not.toBe(first.stdout.trim());
    expect(imapFetchAll(LAB, 'vpn', VPN, SEEDED, first.stdout.trim()).loginOk).toBe(false);
    ok(onHost(['mailctl', 'mailbox', 'remove', SEEDED]));
  });

  it('refuses to remove or change what the cluster file declares, naming the line', () => {
    const before = ok(onHost(['mailctl', 'alias', 'list', '--json']));
    for (const args of [
      ['mailbox', 'remove', 'demo@example.com'],
      ['mailbox', 'quota', 'demo@example.com', '1G'],
      ['alias', 'remove', 'postmaster@example.com'],
      ['alias', 'add', 'info@example.com', GRACE.user],
      ['domain', 'remove', 'example.net', '--force'],
    ]) {
      const r = onHost(['mailctl', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(
        /^mailctl: E_DECLARED_IN_CLUSTER_FILE: .* is declared in \/etc\/mailctl\/cluster\.yaml:\d+: /,
      );
    }
    expect(ok(onHost(['mailctl', 'alias', 'list', '--json']))).toBe(before);
    expect(mailboxes()).toContain('demo@example.com');
  });

  it('refuses an alias that would loop, through any number of aliases', () => {
    const [a, b, c] = LOOP as [string, string, string];
    ok(onHost(['mailctl', 'alias', 'add', a, b]));
    ok(onHost(['mailctl', 'alias', 'add', b, c]));
    const r = onHost(['mailctl', 'alias', 'add', c, a]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `mailctl: E_ALIAS_LOOP: alias ${c} would loop: ${c} → ${a} → ${b} → ${c} (Postfix would defer its mail for ever)`,
    );
    const aliases = JSON.parse(ok(onHost(['mailctl', 'alias', 'list', '--json']))) as {
      source: string;
    }[];
    expect(aliases.map((x) => x.source)).not.toContain(c);
  });

  it('removes a mailbox from the aliases that deliver to it, and says so', () => {
    const tag = uniqueTag('al');
    const shared = `${tag}@example.net`;
    const only = `${tag}x@example.net`;
    ok(onHost(['mailctl', 'alias', 'add', shared, GRACE.user, 'postmaster@example.net']));
    ok(onHost(['mailctl', 'alias', 'add', only, GRACE.user]));
    const out = ok(onHost(['mailctl', 'mailbox', 'remove', GRACE.user]));
    expect(out).toContain(
      `alias ${shared} no longer delivers to it (still to postmaster@example.net)`,
    );
    expect(out).toContain(`alias ${only} (it delivered only to ${GRACE.user})`);
    const left = JSON.parse(ok(onHost(['mailctl', 'alias', 'list', '--json']))) as {
      source: string;
      destination: string;
    }[];
    expect(left.filter((x) => x.source === shared)).toEqual([
      { source: shared, destination: 'postmaster@example.net' },
    ]);
    expect(left.some((x) => x.source === only)).toBe(false);
    ok(onHost(['mailctl', 'alias', 'remove', shared]));
  });

  it('reports every account change as one JSON object with --json, and does it', () => {
    const tag = uniqueTag('js');
    const domain = `${tag}.example`;
    const box = `ivan@${domain}`;
    const alias = `team@${domain}`;
    const said = (args: string[], input?: string) =>
      JSON.parse(ok(onHost(['mailctl', ...args, '--json'], input))) as Record<string, unknown>;
    try {
      expect(said(['domain', 'add', domain])).toMatchObject({
        domain,
        records: `mailctl dns --domain ${domain}`,
      });
      expect(
        said(['mailbox', 'add', box, '--password-stdin', '--quota', '50M'], `${GRACE.pass}\n`),
      ).toEqual({ address: box, quotaBytes: 50 * 1024 ** 2 });
      expect(said(['mailbox', 'quota', box, '60M'])).toEqual({
        address: box,
        quotaBytes: 60 * 1024 ** 2,
      });
      expect(
        said(['mailbox', 'passwd', box, '--password-stdin'], `${GRACE.pass}!\n`),
      ).toMatchObject({ address: box });
      expect(said(['alias', 'add', alias, box])).toEqual({ source: alias, destinations: [box] });
      const listed = JSON.parse(ok(onHost(['mailctl', 'mailbox', 'list', '--json']))) as {
        address: string;
        quotaBytes: number;
      }[];
      expect(listed.find((m) => m.address === box)?.quotaBytes).toBe(60 * 1024 ** 2);
      expect(said(['alias', 'remove', alias])).toEqual({ source: alias });
      expect(said(['mailbox', 'remove', box])).toMatchObject({ address: box });
      expect(mailboxes()).not.toContain(box);
      expect(said(['domain', 'remove', domain])).toEqual({ domain, mailboxes: [], aliases: [] });
    } finally {
      onHost(['mailctl', 'domain', 'remove', domain, '--force']);
    }
  });
});
