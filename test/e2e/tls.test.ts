import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRun, mailctl } from './support/cli.js';
import { httpFrom } from './support/http.js';
import { handshake } from './support/tls.js';

// Issue 4 (certificates and nginx), checked from the internet and from a VPN client.
// MAILCTL_E2E_LAB=<name> runs these against a lab that is already up (and leaves it up).
const REUSE = process.env.MAILCTL_E2E_LAB;
const LAB = REUSE ?? 'e2etls';
const FQDN = 'mail.example.com';
const PUBLIC = '198.51.100.10';
const VPN = '10.100.0.1';
const WEBROOT = '/var/lib/mailctl/acme-webroot';

const onHost = (cmd: string[], input?: string) =>
  labRun(LAB, 'host', cmd, input === undefined ? {} : { input });
const tag = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** apply on the lab host with the test hook that appends `text` to one rendered file. */
const applyWithFault = (path: string, text: string) =>
  onHost([
    'env',
    'MAILCTL_TEST_HOOKS=1',
    `MAILCTL_TEST_FAULT=${path}=${text}`,
    'mailctl',
    'apply',
    '--cluster',
    '/etc/mailctl/cluster.yaml',
  ]);

describe('nginx on a lab host: the public and the VPN side', () => {
  beforeAll(() => {
    if (!REUSE) {
      const up = mailctl(['lab', 'up', '--name', LAB], { timeoutMs: 1_800_000 });
      expect(up.code, up.stderr).toBe(0);
    }
  });

  afterAll(() => {
    if (!REUSE) mailctl(['lab', 'down', '--name', LAB]);
  });

  it('serves on port 80 the ACME challenge files and a redirect to https, nothing else', () => {
    const token = tag();
    const dir = `${WEBROOT}/.well-known/acme-challenge`;
    expect(
      onHost(['sh', '-c', `mkdir -p ${dir} && printf %s ${token} > ${dir}/${token}`]).code,
    ).toBe(0);
    try {
      const challenge = httpFrom(
        LAB,
        'internet',
        `http://${FQDN}/.well-known/acme-challenge/${token}`,
      );
      expect(challenge.status).toBe(200);
      expect(challenge.body).toBe(token);
      const missing = httpFrom(LAB, 'internet', `http://${FQDN}/.well-known/acme-challenge/nope`);
      expect(missing.status).toBe(404);
      const post = httpFrom(LAB, 'internet', `http://${FQDN}/.well-known/acme-challenge/${token}`, {
        method: 'POST',
      });
      expect(post.status).toBe(403);
      for (const path of ['/', '/rspamd/', '/SOGo/', '/index.html']) {
        const r = httpFrom(LAB, 'internet', `http://${PUBLIC}${path}`, {
          headers: ['Host: evil.example.org'],
        });
        expect(r.status, path).toBe(301);
        expect(r.headers.location, path).toBe(`https://${FQDN}${path}`);
      }
      // Nothing answers on port 80 of the VPN address either.
      expect(httpFrom(LAB, 'vpn', `http://${VPN}/`, { timeoutS: 3 }).status).toBe(0);
    } finally {
      onHost(['rm', '-f', `${dir}/${token}`]);
    }
  });

  it('serves on public 443 a landing page with security headers, and nothing internal', () => {
    const home = httpFrom(LAB, 'internet', `https://${FQDN}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain(FQDN);
    expect(home.headers['strict-transport-security']).toMatch(/max-age=\d{8}/);
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['x-frame-options']).toBe('DENY');
    expect(home.headers['referrer-policy']).toBe('no-referrer');
    expect(home.headers['content-security-policy']).toContain("default-src 'none'");
    expect(home.headers.server).toBe('nginx');
    for (const path of ['/rspamd/', '/rspamd/stat', '/SOGo/', '/admin/']) {
      for (const host of [FQDN, 'localhost', VPN]) {
        const r = httpFrom(LAB, 'internet', `https://${PUBLIC}${path}`, {
          headers: [`Host: ${host}`],
        });
        expect(r.status, `${host}${path}`).toBe(404);
        expect(r.headers['strict-transport-security'], `${host}${path}`).toBeDefined();
      }
    }
  });

  it('serves the Rspamd controller at /rspamd/ to the VPN only', () => {
    const vpn = httpFrom(LAB, 'vpn', `https://${FQDN}/rspamd/`);
    expect(vpn.status).toBe(200);
    expect(vpn.body).toMatch(/<title>Rspamd Web Interface<\/title>/i);
    expect(vpn.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(vpn.headers['strict-transport-security']).toBeDefined();
    // From the internet, the VPN address is not reachable at all, and the public
    // address has no such path whatever name is asked for.
    const direct = httpFrom(LAB, 'internet', `https://${VPN}/rspamd/`, { timeoutS: 3 });
    expect(direct.status).toBe(0);
    expect([7, 28]).toContain(direct.code);
    const viaPublic = httpFrom(LAB, 'internet', `https://${FQDN}/rspamd/`);
    expect(viaPublic.status).toBe(404);
    expect(viaPublic.body).not.toMatch(/rspamd/i);
  });

  it('refuses TLS 1.0 and 1.1 on both https sides and offers 1.2 and 1.3', () => {
    const sides = [
      { ns: 'internet' as const, host: PUBLIC },
      { ns: 'vpn' as const, host: VPN },
    ];
    for (const { ns, host } of sides) {
      for (const version of ['tls1', 'tls1_1'] as const) {
        const h = handshake(LAB, ns, { host, port: 443, servername: FQDN, version });
        expect(h.ok, `${ns} ${version}`).toBe(false);
        expect(h.output, `${ns} ${version}`).toMatch(/alert protocol version/);
      }
      for (const [version, protocol] of [
        ['tls1_2', 'TLSv1.2'],
        ['tls1_3', 'TLSv1.3'],
      ] as const) {
        const h = handshake(LAB, ns, { host, port: 443, servername: FQDN, version });
        expect(h.ok, `${ns} ${version}`).toBe(true);
        expect(h.protocol).toBe(protocol);
      }
    }
  });

  it('never installs an nginx configuration that nginx -t refuses, and keeps serving', () => {
    for (const path of [
      '/etc/nginx/mailctl/vpn-https.conf',
      '/etc/nginx/mailctl/vpn.d/rspamd.conf',
    ]) {
      const before = onHost(['sha256sum', path]).stdout;
      const r = applyWithFault(path, 'no_such_directive on;');
      expect(r.code, path).toBe(1);
      expect(r.stderr).toContain('E_CHECK_FAILED');
      expect(r.stderr).toContain('nginx');
      expect(onHost(['sha256sum', path]).stdout).toBe(before);
    }
    expect(httpFrom(LAB, 'vpn', `https://${FQDN}/rspamd/`).status).toBe(200);
    const again = onHost(['mailctl', 'plan', '--cluster', '/etc/mailctl/cluster.yaml']);
    expect(again.stdout).toMatch(/No changes/);
  });
});
