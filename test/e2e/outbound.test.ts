import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_RECEIVERS, type LabReceiverName } from '../../src/lab/outbound-world.js';
import { labHost, sh, uniqueTag } from './support/cli.js';
import { mailQueue, smtpSend, testMessage } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { startInInternet, startOutsideMx } from './support/outside-mx.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 15's outbound half: Postfix authenticates the receiving MX by DANE (TLSA records
// in a DNSSEC-signed zone, validated by the host's unbound) and by MTA-STS (a policy in
// mode enforce, fetched by postfix-mta-sts-resolver), and defers rather than sends to a
// receiver that fails. The lab world's receivers: src/lab/outbound-world.ts.
const LAB = SHARED_LAB;
const { run: onHost } = labHost(LAB);

/** This file's own sender: a mailbox of example.com that no other file uses. */
const SENDER = { user: 'outbound@example.com', pass: 'correct horse battery staple 15' };

let receivers: ChildProcess | undefined;
let outside: ReturnType<typeof startOutsideMx> | undefined;
let stored = '';

/** The sender sends one message from the VPN on 587, as a mail client does; returns its recipient. */
function send(domain: string): string {
  const to = `${uniqueTag('out')}@${domain}`;
  const sent = smtpSend(LAB, 'vpn', {
    host: VPN,
    port: 587,
    tls: 'starttls',
    auth: SENDER,
    from: SENDER.user,
    to: [to],
    data: testMessage(SENDER.user, to, to),
  });
  expect(sent.codes.end, sent.result.replies.join('\n')).toBe(250);
  return to;
}

interface Attempt {
  /** The smtp client's log line for the recipient: `... to=<...>, ..., status=...`. */
  status: string;
  /** What the same smtp process logged on the way to it (its connection to the MX). */
  before: string[];
}

/** Waits (bounded, 60 s) for Postfix's first delivery attempt to `to`, from the journal. */
function firstAttempt(to: string): Attempt {
  for (let i = 0; i < 120; i++) {
    const log = onHost([
      'journalctl',
      '--no-pager',
      '-o',
      'short',
      '-t',
      'postfix/smtp',
      '--since',
      '-15min',
    ]).stdout.split('\n');
    const at = log.findIndex((l) => l.includes(`to=<${to}>`));
    const line = log[at];
    if (line !== undefined) {
      const pid = /postfix\/smtp\[(\d+)\]/.exec(line)?.[1] ?? '';
      // One smtp process makes many deliveries: its lines since its previous delivery.
      const mine = log.slice(0, at).filter((l) => l.includes(`postfix/smtp[${pid}]`));
      const previous = mine.findLastIndex((l) => l.includes(' status='));
      return { status: line, before: mine.slice(previous + 1) };
    }
    sh('sleep 0.5');
  }
  throw new Error(`no delivery attempt to ${to} in the journal within 60 s`);
}

/** What the receiver stored that carries `marker`. */
const receivedBy = (r: LabReceiverName, marker: string) =>
  readdirSync(join(stored, r)).filter((f) =>
    readFileSync(join(stored, r, f), 'latin1').includes(marker),
  );

/** The queue's entry for `to`, from `postqueue -j`. */
function queued(to: string): { queue_name: string; delay_reason?: string } | undefined {
  for (const e of mailQueue(LAB)) {
    const r = e.recipients.find((x) => x.address === to);
    if (r) return { queue_name: e.queue_name, delay_reason: r.delay_reason };
  }
  return undefined;
}

/** Removes this file's messages from the queue: the shared lab is left as it was found. */
function dropFromQueue(to: string): void {
  for (const e of mailQueue(LAB))
    if (e.recipients.some((r) => r.address === to)) onHost(['postsuper', '-d', e.queue_id]);
}

describe('outbound mail is authenticated by DANE and MTA-STS', () => {
  const deferred: string[] = [];

  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'mailbox', 'remove', SENDER.user]);
    const added = onHost(
      ['mailctl', 'mailbox', 'add', SENDER.user, '--password-stdin'],
      `${SENDER.pass}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    stored = mkdtempSync(join(tmpdir(), 'mailctl-outbound-'));
    receivers = startInInternet(LAB, 'outbound-receivers.ts', [LAB, stored], `${stored}.ready`);
    outside = startOutsideMx(LAB);
  }, 120_000);

  afterAll(() => {
    for (const to of deferred) dropFromQueue(to);
    onHost(['mailctl', 'mailbox', 'remove', SENDER.user]);
    receivers?.kill();
    outside?.stop();
  });

  it.each([
    ['daneGood', 'mx.dane.example.org'],
    ['stsGood', 'mx.sts.example.org'],
  ] as const)('delivers to %s over TLS verified against what its domain publishes', (r, mx) => {
    const to = send(LAB_RECEIVERS[r].domain);
    const attempt = firstAttempt(to);
    expect(attempt.status).toContain(`relay=${mx}[${LAB_RECEIVERS[r].address}]:25`);
    expect(attempt.status).toContain('status=sent (250 2.0.0 stored)');
    expect(attempt.before.join('\n')).toContain(`Verified TLS connection established to ${mx}`);
    expect(receivedBy(r, to)).toHaveLength(1);
  });

  it.each([
    ['daneBad', 'its TLSA record names another key'],
    ['stsBad', 'its certificate chains to no trusted CA'],
  ] as const)('defers mail to %s (%s) and sends nothing in clear', (r, _why) => {
    const to = send(LAB_RECEIVERS[r].domain);
    deferred.push(to);
    const attempt = firstAttempt(to);
    expect(attempt.status).toContain('status=deferred (Server certificate not verified)');
    expect(attempt.before.join('\n')).not.toContain('Verified TLS connection established');
    expect(queued(to)).toEqual({
      queue_name: 'deferred',
      delay_reason: 'Server certificate not verified',
    });
    expect(receivedBy(r, to)).toEqual([]);
  });

  it('still delivers to a domain that publishes neither, as before', () => {
    const to = send('example.org');
    const attempt = firstAttempt(to);
    expect(attempt.status).toContain('status=sent (250 2.0.0 stored)');
    expect(outside?.waitFor(to)).toBeDefined();
  });

  it('defers while the MTA-STS resolver is down, and delivers once it is back', () => {
    onHost(['systemctl', 'stop', 'postfix-mta-sts-resolver']);
    let to = '';
    try {
      to = send('example.org');
      deferred.push(to);
      const attempt = firstAttempt(to);
      // No policy is not the same as no answer: Postfix does not guess the weaker one.
      expect(attempt.status).toContain('status=deferred (client TLS configuration problem)');
      expect(attempt.status).toContain('relay=none');
      expect(queued(to)?.queue_name).toBe('deferred');
    } finally {
      onHost(['systemctl', 'start', 'postfix-mta-sts-resolver']);
    }
    onHost(['postqueue', '-f']);
    expect(outside?.waitFor(to)).toBeDefined();
  });
});
