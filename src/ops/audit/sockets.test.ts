import { describe, expect, it } from 'vitest';
import { testHostContext } from '../../render/test-host-context.js';
import { evaluateSockets, intendedSockets, parseSs } from './sockets.js';

const ctx = testHostContext({ publicAddresses: ['192.0.2.10'] });

/** `ss -Htlnu` of a converged host (trimmed to the interesting lines). */
const SS = `udp   UNCONN 0 0           0.0.0.0:51820      0.0.0.0:*
udp   UNCONN 0 0              [::]:51820         [::]:*
udp   UNCONN 0 0        10.100.0.1:53         0.0.0.0:*
tcp   LISTEN 0 511       127.0.0.1:6379       0.0.0.0:*
tcp   LISTEN 0 100      192.0.2.10:587        0.0.0.0:*
tcp   LISTEN 0 100      192.0.2.10:465        0.0.0.0:*
tcp   LISTEN 0 100      192.0.2.10:25         0.0.0.0:*
tcp   LISTEN 0 511      192.0.2.10:80         0.0.0.0:*
tcp   LISTEN 0 511      192.0.2.10:443        0.0.0.0:*
tcp   LISTEN 0 511      10.100.0.1:443        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:25         0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:465        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:587        0.0.0.0:*
tcp   LISTEN 0 256      10.100.0.1:53         0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:110        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:143        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:993        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:995        0.0.0.0:*
tcp   LISTEN 0 100      10.100.0.1:4190       0.0.0.0:*
tcp   LISTEN 0 200      10.100.0.1:5432       0.0.0.0:*
tcp   LISTEN 0 128         0.0.0.0:22         0.0.0.0:*
tcp   LISTEN 0 128            [::]:22            [::]:*
tcp   LISTEN 0 200           [::1]:5432          [::]:*
tcp   LISTEN 0 4096  [fe80::1%eth0]:9999         [::]:*
`;

describe('parseSs', () => {
  it('reads protocol, address (wildcards as *, no brackets or scope) and port', () => {
    const s = parseSs(SS);
    expect(s[0]).toEqual({ proto: 'udp', address: '*', port: 51820 });
    expect(s).toContainEqual({ proto: 'tcp', address: '::1', port: 5432 });
    expect(s).toContainEqual({ proto: 'tcp', address: 'fe80::1', port: 9999 });
  });
});

describe('evaluateSockets', () => {
  const intended = intendedSockets(ctx);
  const clean = SS.split('\n')
    .filter((l) => !l.includes(':9999'))
    .join('\n');

  it('passes a host that listens exactly where the cluster file says', () => {
    const check = evaluateSockets(parseSs(clean), intended);
    expect(check.ok, check.detail).toBe(true);
  });

  it('fails on an unexpected listener beyond loopback, naming it', () => {
    const check = evaluateSockets(
      parseSs(`${clean}\ntcp LISTEN 0 100 0.0.0.0:3306 0.0.0.0:*\n`),
      intended,
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('unexpected tcp *:3306');
    expect(evaluateSockets(parseSs(SS), intended).detail).toContain(
      'unexpected tcp [fe80::1]:9999',
    );
  });

  it('fails when IMAP listens on the public address, or a VPN service is missing', () => {
    const moved = clean.replace('10.100.0.1:993', '192.0.2.10:993');
    const check = evaluateSockets(parseSs(moved), intended);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('unexpected tcp 192.0.2.10:993');
    expect(check.detail).toContain('not listening tcp 10.100.0.1:993');
  });

  it('ignores loopback listeners (Redis, the Rspamd milter)', () => {
    expect(
      evaluateSockets(parseSs(`${clean}\ntcp LISTEN 0 1 127.0.0.1:11332 0.0.0.0:*\n`), intended).ok,
    ).toBe(true);
  });
});
