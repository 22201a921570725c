import { beforeAll, describe, expect, it } from 'vitest';
import { labHost, labRun } from './support/cli.js';
import { httpFrom } from './support/http.js';
import { PUBLIC, VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// VPN devices resolve through the host's unbound, which leads them to the VPN address for
// the host's name and the autoconfig names; they are offered IMAP and POP3, which answer
// only there. The internet gets neither the resolver nor an IMAP server it cannot reach.
const LAB = SHARED_LAB;
const FQDN = 'mail.example.com';
const PEER = 'resolver-e2e-laptop';
const { run: onHost } = labHost(LAB);

/** dig's short answer for `name` from a lab side, asking `server`; '' when none came. */
function dig(side: 'vpn' | 'internet' | 'host', server: string, name: string, type = 'A'): string {
  const r = labRun(LAB, side, ['dig', '+short', '+time=2', '+tries=1', `@${server}`, name, type]);
  return r.code === 0 ? r.stdout.trim() : '';
}

describe('the VPN resolver and the client settings each side is offered', () => {
  beforeAll(() => {
    useSharedLab();
    onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]);
  });

  it('tells VPN devices the VPN address for the host and autoconfig names, and the host its public one', () => {
    for (const name of [FQDN, 'autoconfig.example.com', 'autodiscover.example.net'])
      expect(dig('vpn', VPN, name), name).toBe(VPN);
    // No public AAAA slips past the VPN address.
    expect(dig('vpn', VPN, FQDN, 'AAAA')).toBe('');
    // Other names resolve as usual (the lab world's DNS, through unbound).
    expect(dig('vpn', VPN, 'example.org', 'MX')).not.toBe('');
    // The host itself still sees its public address: the view is the VPN's alone.
    expect(dig('host', '127.0.0.1', FQDN)).toBe(PUBLIC);
  });

  it('does not answer the internet', () => {
    const r = labRun(LAB, 'internet', ['dig', '+time=2', '+tries=1', `@${PUBLIC}`, FQDN, 'A']);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stdout).toMatch(/timed out|no servers could be reached|connection refused/i);
  });

  it('names the resolver in the WireGuard configuration of a new device', () => {
    const add = onHost(['mailctl', 'vpn', 'peer', 'add', PEER]);
    try {
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toMatch(new RegExp(`^DNS = ${VPN.replaceAll('.', '\\.')}$`, 'm'));
    } finally {
      expect(onHost(['mailctl', 'vpn', 'peer', 'remove', PEER]).code).toBe(0);
    }
  });

  it('offers IMAP and POP3 to VPN devices only, submission to everyone', () => {
    const path = '/mail/config-v1.1.xml';
    const inside = httpFrom(LAB, 'vpn', `https://autoconfig.example.com${path}`, {
      resolve: `autoconfig.example.com:443:${VPN}`,
    });
    expect(inside.status).toBe(200);
    expect(inside.body).toContain(
      `<incomingServer type="imap"><hostname>${FQDN}</hostname><port>993</port>`,
    );
    expect(inside.body).toContain(`<outgoingServer type="smtp"><hostname>${FQDN}</hostname>`);
    const outside = httpFrom(LAB, 'internet', `https://autoconfig.example.com${path}`, {
      resolve: `autoconfig.example.com:443:${PUBLIC}`,
    });
    expect(outside.status).toBe(200);
    expect(outside.body).toContain(`<outgoingServer type="smtp"><hostname>${FQDN}</hostname>`);
    expect(outside.body).not.toContain('incomingServer');
    // Outlook's request, the same split.
    const outlook = (side: 'vpn' | 'internet', at: string) =>
      httpFrom(LAB, side, `https://autodiscover.example.com/autodiscover/autodiscover.xml`, {
        method: 'POST',
        headers: ['Content-Type: text/xml'],
        resolve: `autodiscover.example.com:443:${at}`,
      }).body;
    expect(outlook('vpn', VPN)).toContain(`<Type>IMAP</Type><Server>${FQDN}</Server>`);
    expect(outlook('internet', PUBLIC)).not.toContain('<Type>IMAP</Type>');
  });
});
