import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labHost, sh, uniqueTag } from './support/cli.js';
import { imapFetchAll, smtpSend, testMessage } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 16, send-as grants: a mailbox may send as the addresses the cluster file grants it
// (domains[].mailboxes[].send_as), envelope and From: alike, signed with that domain's key;
// anything else stays refused, and a grant taken out of the file is withdrawn by apply.
const LAB = SHARED_LAB;
const HOST_CLUSTER = '/etc/mailctl/cluster.yaml';
// A copy of the host's cluster file with the grantee and its grants; the host's own file is
// never edited, so a failed run cannot leave the shared lab granting anything.
const GRANTING = '/root/send-as-test-cluster.yaml';
const RITA = 'rita@example.net';
/** One address of another hosted domain, and all of Rita's own domain. */
const GRANTS = ['billing@example.com', '@example.net'];

const { run: onHost } = labHost(LAB);

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const apply = (cluster: string) => ok(onHost(['mailctl', 'apply', '--cluster', cluster], ''));
const password = () => ok(onHost(['cat', `/etc/mailctl/secrets/mailbox-${RITA}`])).trim();

/** Rita submits on 587 from the VPN, to herself; the outcome and the message's tag. */
function send(from: string, header = from) {
  const tag = uniqueTag();
  const r = smtpSend(LAB, 'vpn', {
    host: VPN,
    port: 587,
    tls: 'starttls',
    auth: { user: RITA, pass: password() },
    from,
    to: [RITA],
    data: testMessage(header, RITA, tag),
  });
  expect(r.codes.auth).toBe(235);
  return { ...r, tag, end: r.result.replies.at(-2) ?? '' };
}

/** Postfix answers MAIL FROM's restrictions at RCPT (smtpd_delay_reject). */
const envelopeCodes = (r: ReturnType<typeof send>) => [r.codes.mail, ...r.codes.rcpt];

/** Waits (bounded, 20 s) for the message carrying `tag` in Rita's mailbox. */
function received(tag: string): string | undefined {
  for (let i = 0; i < 40; i++) {
    const found = imapFetchAll(LAB, 'vpn', VPN, RITA, password()).messages.find((m) =>
      m.includes(tag),
    );
    if (found) return found;
    sh('sleep 0.5');
  }
  return undefined;
}

let granted = false;

describe('send-as grants from the cluster file', () => {
  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'mailbox', 'remove', RITA]);
    const cluster = parse(ok(onHost(['cat', HOST_CLUSTER]))) as {
      domains: { name: string; mailboxes?: { local_part: string; send_as?: string[] }[] }[];
    };
    const net = cluster.domains.find((d) => d.name === 'example.net');
    expect(net).toBeDefined();
    net?.mailboxes?.push({ local_part: 'rita', send_as: GRANTS });
    ok(onHost(['bash', '-c', `cat > ${GRANTING}`], stringify(cluster)));
  });

  afterAll(() => {
    if (granted) apply(HOST_CLUSTER);
    onHost(['mailctl', 'mailbox', 'remove', RITA]);
    onHost(['rm', '-f', GRANTING]);
  });

  it('plans and makes the grants the file declares', () => {
    const plan = ok(onHost(['mailctl', 'plan', '--cluster', GRANTING]));
    for (const g of GRANTS) expect(plan).toContain(`create send-as ${RITA} → ${g}`);
    const out = apply(GRANTING);
    granted = true;
    for (const g of GRANTS) expect(out).toContain(`granted send-as ${RITA} → ${g}`);
  });

  it('accepts a granted address as envelope and From:, and signs it with its domain', () => {
    // One address of another hosted domain; a mailbox of the granted domain, which has a
    // sender row of its own; an address of that domain nobody has.
    for (const [from, domain] of [
      ['billing@example.com', 'example.com'],
      ['postmaster@example.net', 'example.net'],
      ['no-reply@example.net', 'example.net'],
    ] as const) {
      const r = send(from);
      expect(r.codes.end, `${from}: ${r.end}`).toBe(250);
      const got = received(r.tag);
      expect(got, from).toBeDefined();
      expect(got).toMatch(
        new RegExp(`^DKIM-Signature: [^]*?\\bd=${domain.replace('.', '\\.')};`, 'm'),
      );
    }
  });

  it('still refuses what is not granted: another address as envelope, or as From:', () => {
    const envelope = send('accounts@example.com');
    expect(envelopeCodes(envelope)).toContain(553);
    expect(envelope.result.replies.find((x) => x.startsWith('553'))).toMatch(/not owned by user/);
    const header = send('billing@example.com', 'demo@example.com');
    expect(header.codes.end).toBeGreaterThanOrEqual(500);
    expect(header.end).toMatch(/<demo@example\.com> is an address of another domain hosted here/);
  });

  it('withdraws the grants the file no longer makes, and refuses them again', () => {
    const out = apply(HOST_CLUSTER);
    granted = false;
    for (const g of GRANTS) expect(out).toContain(`withdrew send-as ${RITA} → ${g}`);
    for (const from of ['billing@example.com', 'postmaster@example.net']) {
      const r = send(from);
      expect(envelopeCodes(r), from).toContain(553);
    }
    // Her own address still goes out.
    expect(send(RITA).codes.end).toBe(250);
  });
});
