import { describe, expect, it } from 'vitest';
import { parseAuditOptions, type RawAuditOptions } from './options.js';

const raw = (over: Partial<RawAuditOptions> = {}): RawAuditOptions => ({
  cluster: '/etc/mailctl/cluster.yaml',
  tls: true,
  lynis: true,
  ...over,
});

const usage = (over: Partial<RawAuditOptions>) => {
  try {
    parseAuditOptions(raw(over));
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
  return 'accepted';
};

describe('parseAuditOptions', () => {
  it('on the host: every check, Lynis included', () => {
    expect(parseAuditOptions(raw())).toEqual({
      cluster: '/etc/mailctl/cluster.yaml',
      tls: true,
      lynis: true,
      json: false,
    });
  });

  it('remote: an address or a name, a side if given, never Lynis', () => {
    expect(parseAuditOptions(raw({ remote: '2001:db8::10', side: 'vpn', json: true }))).toEqual({
      cluster: '/etc/mailctl/cluster.yaml',
      remote: { address: '2001:db8::10', side: 'vpn' },
      tls: true,
      lynis: false,
      json: true,
    });
    expect(parseAuditOptions(raw({ remote: 'mail.example.com' })).remote).toEqual({
      address: 'mail.example.com',
    });
    expect(parseAuditOptions(raw({ remote: '198.51.100.10', host: 'mx2' })).host).toBe('mx2');
  });

  it('reads --tls-ports', () => {
    expect(parseAuditOptions(raw({ tlsPorts: '465, 587' })).tlsPorts).toEqual([465, 587]);
  });

  it('refuses bad arguments with E_USAGE, one line each', () => {
    for (const [over, message] of [
      [{ side: 'vpn' }, '--side needs --remote'],
      [{ remote: '10.0.0.1', side: 'lan' }, "--side: 'lan' is not one of internet, admin, vpn"],
      [{ remote: '198.51.100.10:25' }, "--remote: '198.51.100.10:25' is not an address"],
      [{ remote: 'https://mail.example.com/' }, 'is not an address or a host name'],
      [{ remote: '' }, 'is not an address or a host name'],
      [{ tlsPorts: '465,imaps' }, "--tls-ports: 'imaps' is not a port number"],
      [{ tlsPorts: '0' }, "--tls-ports: '0' is not a port number"],
      [{ tlsPorts: '465', tls: false }, '--tls-ports and --no-tls contradict each other'],
    ] as [Partial<RawAuditOptions>, string][]) {
      const out = usage(over);
      expect(out, JSON.stringify(over)).toMatch(/^E_USAGE: /);
      expect(out).toContain(message);
      expect(out).not.toContain('\n');
    }
  });
});
