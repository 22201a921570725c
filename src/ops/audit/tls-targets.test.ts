import { describe, expect, it } from 'vitest';
import { testHostContext } from '../../render/test-host-context.js';
import { expectedOpenPorts } from './reachable-ports.js';
import { onHostTlsTargets, remoteTlsTargets, selectTlsTargets } from './tls-targets.js';

const ctx = testHostContext({ publicAddresses: ['192.0.2.10'] });

describe('TLS scan targets', () => {
  it('on the host: the public ports at the public address, IMAPS and POP3S at the VPN one', () => {
    expect(onHostTlsTargets(ctx)).toEqual([
      { port: 443, ip: '192.0.2.10' },
      { port: 465, ip: '192.0.2.10' },
      { port: 587, ip: '192.0.2.10', starttls: 'smtp' },
      { port: 993, ip: '10.100.0.1' },
      { port: 995, ip: '10.100.0.1' },
    ]);
  });

  it('from outside: the TLS ports the side reaches, at the audited address', () => {
    const internet = remoteTlsTargets(expectedOpenPorts(ctx, 'internet'), '192.0.2.10');
    expect(internet.map((t) => t.port)).toEqual([443, 465, 587]);
    const vpn = remoteTlsTargets(expectedOpenPorts(ctx, 'vpn'), '10.100.0.1');
    expect(vpn.map((t) => t.port)).toEqual([443, 465, 587, 993, 995]);
    expect(vpn.every((t) => t.ip === '10.100.0.1')).toBe(true);
  });

  it('keeps the ports asked for, and refuses one the audit cannot scan', () => {
    const internet = remoteTlsTargets(expectedOpenPorts(ctx, 'internet'), '192.0.2.10');
    expect(selectTlsTargets(internet, [587])).toEqual([
      { port: 587, ip: '192.0.2.10', starttls: 'smtp' },
    ]);
    expect(selectTlsTargets(internet, undefined)).toEqual(internet);
    expect(() => selectTlsTargets(internet, [993, 25])).toThrow(
      /--tls-ports: 993, 25 are not among the TLS ports this audit can scan \(443, 465, 587\)/,
    );
  });
});
