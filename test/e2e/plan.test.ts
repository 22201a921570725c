import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHost, labSh } from './support/cli.js';
import { imapFetchAll } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 10, "a plan that tells the whole truth": what apply does beyond files (accounts,
// certificates, units) is in the plan first; a file no longer rendered is removed; two
// applies never interleave; Ctrl-C leaves the previous configuration running.
const LAB = SHARED_LAB;
const CLUSTER = '/etc/mailctl/cluster.yaml';
/** Edited copies of the lab's cluster file; only this file uses these names. */
const WITH_MAILBOX = '/etc/mailctl/plan-test-mailbox.yaml';
const WITH_ACME = '/etc/mailctl/plan-test-acme.yaml';
const WITH_GREYLIST = '/etc/mailctl/plan-test-greylist.yaml';
const MAILBOX = 'plantest@example.com';
const SECRET = `/etc/mailctl/secrets/mailbox-${MAILBOX}`;
const CERTBOT_HOOK = '/etc/letsencrypt/renewal-hooks/deploy/mailctl-install-certificate';
const ACTIONS = '/etc/rspamd/local.d/actions.conf';
/** The lab world's ACME CA, as `mailctl lab up` prints it. */
const ACME =
  '  mode: acme\n  acme: { directory: https://acme.example.org:14000/dir, email: postmaster@example.com, ca_file: /etc/mailctl/lab-acme-ca.pem }';

const { run: onHost } = labHost(LAB);
/** Whether certbot was there before the ACME switch below installed it. */
let hadCertbot = true;

const ok = (cmd: string[]) => {
  const r = onHost(cmd);
  expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const sh = (script: string, timeoutMs = 60_000) => {
  const r = labSh(LAB, 'host', script, timeoutMs);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/**
 * Starts an apply of WITH_GREYLIST that holds with Rspamd's new actions.conf installed and
 * not yet active (the test-only pause), runs `meanwhile` while it holds, then sends it
 * `signal`. Prints `meanwhile`'s output, then the paused apply's output and exit status.
 */
const interruptedApply = (meanwhile: string, signal: 'INT' | 'TERM') =>
  sh(
    `(MAILCTL_TEST_HOOKS=1 MAILCTL_TEST_PAUSE=after-install mailctl apply --cluster ${WITH_GREYLIST} \
       > /tmp/plan-test-paused.out 2>&1; echo "paused apply exit $?" >> /tmp/plan-test-paused.out) &
     for i in $(seq 1 300); do [ -f /run/mailctl/apply-paused ] && break; sleep 0.2; done
     [ -f /run/mailctl/apply-paused ] || { echo 'the apply never paused'; cat /tmp/plan-test-paused.out; exit 1; }
     echo "live while paused: $(grep -c 'greylist = 5' ${ACTIONS})"
     ${meanwhile}
     kill -${signal} "$(cat /run/mailctl/apply-paused)"
     wait
     cat /tmp/plan-test-paused.out`,
    240_000,
  );

describe('plan', () => {
  beforeAll(() => {
    useSharedLab();
    // Left by a run that stopped half way, if any.
    onHost(['mailctl', 'mailbox', 'remove', MAILBOX]);
    hadCertbot = onHost(['dpkg-query', '-W', '-f=${Status}', 'certbot']).stdout.includes(
      'ok installed',
    );
    sh(
      `sed 's/^      - local_part: demo$/      - local_part: demo\\n      - local_part: plantest\\n        quota: 100M/' ${CLUSTER} > ${WITH_MAILBOX}
       sed 's|^  mode: self-signed.*|${ACME.replace(/\n/g, '\\n')}|' ${CLUSTER} > ${WITH_ACME}
       sed 's/^    greylist: 4$/    greylist: 5/' ${CLUSTER} > ${WITH_GREYLIST}
       grep -q plantest ${WITH_MAILBOX} && grep -q 'mode: acme' ${WITH_ACME} && grep -q 'greylist: 5' ${WITH_GREYLIST}`,
    );
  }, 1_800_000);

  afterAll(() => {
    onHost(['mailctl', 'mailbox', 'remove', MAILBOX]);
    // Back to the lab's own file (self-signed, the greylist score as it was).
    onHost(['mailctl', 'apply', '--cluster', CLUSTER]);
    onHost(['rm', '-f', WITH_MAILBOX, WITH_ACME, WITH_GREYLIST, SECRET]);
    // The ACME switch installed certbot and made an account and a lineage: gone again, so
    // a file that checks for a host without them finds one.
    if (!hadCertbot)
      onHost([
        'bash',
        '-c',
        'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q certbot && rm -rf /etc/letsencrypt /var/lib/letsencrypt /var/log/letsencrypt',
      ]);
  }, 300_000);

  it('says No changes on a converged host, in text and JSON', () => {
    expect(ok(['mailctl', 'plan'])).toMatch(/^No changes/);
    const json = JSON.parse(ok(['mailctl', 'plan', '--json'])) as { empty: boolean; host: [] };
    expect(json.empty).toBe(true);
    expect(json.host).toEqual([]);
  });

  it('shows a mailbox declared in an edited cluster file before apply creates it', () => {
    const plan = ok(['mailctl', 'plan', '--cluster', WITH_MAILBOX]);
    expect(plan).toMatch(
      new RegExp(
        `^\\+ create mailbox ${MAILBOX} \\(quota 100M, declared in ${WITH_MAILBOX}:\\d+\\)$`,
        'm',
      ),
    );
    expect(plan).toContain('1 host change(s)');
    // The plan changed nothing: the mailbox does not exist yet.
    expect(ok(['mailctl', 'mailbox', 'list'])).not.toContain(MAILBOX);

    const applied = JSON.parse(ok(['mailctl', 'apply', '--cluster', WITH_MAILBOX, '--json'])) as {
      changed: boolean;
      applied: { host: { kind: string; action: string; target: string }[] };
    };
    expect(applied.changed).toBe(true);
    expect(applied.applied.host).toEqual([
      expect.objectContaining({ kind: 'mailbox', action: 'create', target: MAILBOX }),
    ]);
    // A real mailbox: it logs in over IMAP with the initial password apply generated.
    const pass = ok(['cat', SECRET]).trim();
    expect(imapFetchAll(LAB, 'vpn', VPN, MAILBOX, pass).loginOk).toBe(true);
    expect(ok(['mailctl', 'plan', '--cluster', WITH_MAILBOX])).toMatch(/^No changes/);
  });

  it('never brings back a mailbox removed with the CLI that the cluster file does not declare', () => {
    // The lab's own file does not declare it: it is the CLI's to remove.
    ok(['mailctl', 'mailbox', 'remove', MAILBOX]);
    expect(ok(['mailctl', 'plan'])).toMatch(/^No changes/);
    ok(['mailctl', 'apply']);
    expect(ok(['mailctl', 'mailbox', 'list'])).not.toContain(MAILBOX);
  });

  it('lists a file that is no longer rendered, and apply removes it', () => {
    const toAcme = onHost(['mailctl', 'apply', '--cluster', WITH_ACME]);
    expect(toAcme.code, toAcme.stderr).toBe(0);
    ok(['test', '-f', CERTBOT_HOOK]);
    expect(ok(['mailctl', 'plan', '--cluster', WITH_ACME])).toMatch(/^No changes/);

    const plan = ok(['mailctl', 'plan']);
    expect(plan).toContain(`- remove file ${CERTBOT_HOOK} (certbot, no longer rendered)`);
    expect(plan).toContain('- disable unit certbot.timer');
    expect(plan).toMatch(/^~ update certificate .* \(self-signed for mail\.example\.com/m);
    ok(['mailctl', 'apply']);
    expect(onHost(['test', '-e', CERTBOT_HOOK]).code).toBe(1);
    expect(onHost(['systemctl', 'is-enabled', 'certbot.timer']).stdout.trim()).toBe('disabled');
    expect(ok(['mailctl', 'plan'])).toMatch(/^No changes/);
    // The history's manifest no longer lists it, and its last commit says it went.
    expect(ok(['cat', '/var/lib/mailctl/history/manifest'])).not.toContain(CERTBOT_HOOK);
    expect(ok(['git', '-C', '/var/lib/mailctl/history', 'show', '--stat', 'HEAD'])).toContain(
      `remove ${CERTBOT_HOOK}`,
    );
  });

  it('refuses a second apply while one runs, after waiting for it', () => {
    const out = interruptedApply(
      `start=$(date +%s); mailctl apply > /tmp/plan-test-second.out 2>&1; echo "second apply exit $? after $(( $(date +%s) - start )) s"; cat /tmp/plan-test-second.out`,
      'TERM',
    );
    expect(out).toContain('live while paused: 1');
    const [, waited] = /second apply exit 1 after (\d+) s/.exec(out) ?? [];
    expect(Number(waited)).toBeGreaterThanOrEqual(9);
    expect(out).toMatch(/E_APPLY_LOCKED: another apply, rollback or tls renew is running/);
    expect(out).toContain('paused apply exit 143');
    expect(ok(['grep', '-c', 'greylist = 4', ACTIONS]).trim()).toBe('1');
  });

  it('leaves the previous configuration running after Ctrl-C mid-apply', () => {
    const before = ok(['md5sum', ACTIONS]);
    const out = interruptedApply('', 'INT');
    expect(out).toContain('live while paused: 1');
    expect(out).toMatch(
      /E_APPLY_INTERRUPTED: interrupted by SIGINT; the previous configuration was restored/,
    );
    expect(out).toContain('paused apply exit 130');
    expect(ok(['md5sum', ACTIONS])).toBe(before);
    expect(ok(['systemctl', 'is-active', 'rspamd']).trim()).toBe('active');
    // Reloaded on the restored file, Rspamd's controller answers.
    expect(ok(['rspamc', '-h', '127.0.0.1:11334', 'stat'])).toContain('Messages scanned');
    // Nothing of the interrupted apply was recorded, and the next plan shows the change again.
    expect(ok(['mailctl', 'plan', '--cluster', WITH_GREYLIST])).toContain(ACTIONS);
    // And the lock went with it: the next apply runs at once.
    expect(ok(['mailctl', 'apply'])).toMatch(/No changes/);
  });
});
