import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderPostfixMasterCf } from './master-cf.js';

interface Service {
  name: string;
  columns: string[];
  options: string[];
}

function services(content: string): Service[] {
  const out: Service[] = [];
  for (const line of content.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (line.startsWith('  -o ')) out.at(-1)?.options.push(line.slice(5));
    else {
      const [name = '', ...columns] = line.split(/\s+/);
      out.push({ name, columns, options: [] });
    }
  }
  return out;
}

const all = services(renderPostfixMasterCf(testHostContext()).content);
const byPort = (port: number) => all.filter((s) => s.name.endsWith(`:${port}`));

describe('master.cf', () => {
  it('listens for MX mail on the public addresses, the VPN address and loopback', () => {
    expect(byPort(25).map((s) => s.name)).toEqual([
      '192.0.2.10:25',
      '[2001:db8::10]:25',
      '10.100.0.1:25',
      '127.0.0.1:25',
    ]);
    for (const s of byPort(25)) expect(s.options).toEqual([]);
  });

  it('puts postscreen on port 25 and hands the clients that pass to smtpd', () => {
    for (const s of byPort(25))
      expect(s.columns).toEqual(['inet', 'n', '-', 'y', '-', '1', 'postscreen']);
    for (const name of ['smtpd', 'dnsblog', 'tlsproxy'])
      expect(all.find((s) => s.name === name)?.columns.at(-1), name).toBe(name);
    expect(all.find((s) => s.name === 'smtpd')?.columns[0]).toBe('pass');
  });

  it('listens for submission on the public addresses and the VPN address only', () => {
    const expected = ['192.0.2.10', '[2001:db8::10]', '10.100.0.1'];
    expect(byPort(587).map((s) => s.name)).toEqual(expected.map((a) => `${a}:587`));
    expect(byPort(465).map((s) => s.name)).toEqual(expected.map((a) => `${a}:465`));
  });

  it('requires TLS before AUTH on 587 and wraps 465 in TLS', () => {
    for (const s of [...byPort(587), ...byPort(465)]) {
      expect(s.options).toContain('smtpd_tls_security_level=encrypt');
      expect(s.options).toContain('smtpd_sasl_auth_enable=yes');
      expect(s.options).toContain('smtpd_sender_restrictions=$mua_sender_restrictions');
      expect(s.options).toContain('smtpd_client_restrictions=$mua_client_restrictions');
    }
    for (const s of byPort(465)) expect(s.options).toContain('smtpd_tls_wrappermode=yes');
    for (const s of byPort(587)) expect(s.options).not.toContain('smtpd_tls_wrappermode=yes');
  });

  it('sends submitted mail, and only that, through the cleanup that strips privacy headers', () => {
    for (const s of [...byPort(587), ...byPort(465)])
      expect(s.options).toContain('cleanup_service_name=mua-cleanup');
    for (const s of byPort(25)) expect(s.options.join(' ')).not.toContain('cleanup_service_name');
    expect(all.find((s) => s.name === 'mua-cleanup')?.options).toEqual([
      'header_checks=$mua_privacy_header_checks',
    ]);
  });

  it('chroots smtpd and has no unaddressed listener', () => {
    for (const s of all.filter((s) => s.columns[0] === 'inet')) {
      expect(s.columns[3]).toBe('y');
      expect(s.name).toMatch(/^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+$/);
    }
    expect(all.find((s) => s.name === 'proxymap')?.columns[3]).toBe('n');
  });

  it('lists each address once when the VPN address is also public', () => {
    const c = renderPostfixMasterCf(
      testHostContext({ publicAddresses: ['10.100.0.1'], vpnAddress: '10.100.0.1' }),
    ).content;
    expect(services(c).filter((s) => s.name.endsWith(':587'))).toHaveLength(1);
  });
});
