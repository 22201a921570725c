import { describe, expect, it } from 'vitest';
import { testHostContext } from '../../render/test-host-context.js';
import {
  evaluatePortScan,
  expectedOpenPorts,
  portsToScan,
  sideOf,
  type PortScanResult,
} from './reachable-ports.js';

const ctx = testHostContext({ publicAddresses: ['192.0.2.10', '2001:db8::10'] });

describe('expectedOpenPorts', () => {
  it('gives the internet exactly SMTP, submission and HTTP(S)', () => {
    expect(expectedOpenPorts(ctx, 'internet')).toEqual([25, 80, 443, 465, 587]);
  });

  it('adds SSH for an admin network, and every VPN service (no port 80) on the VPN side', () => {
    expect(expectedOpenPorts(ctx, 'admin')).toEqual([22, 25, 80, 443, 465, 587]);
    expect(expectedOpenPorts(ctx, 'vpn')).toEqual([
      22, 25, 53, 110, 143, 443, 465, 587, 993, 995, 4190, 5432,
    ]);
  });

  it("follows the cluster file's PostgreSQL port", () => {
    const moved = testHostContext({ postgres: { ...ctx.postgres, port: 6543 } });
    expect(expectedOpenPorts(moved, 'vpn')).toContain(6543);
    expect(expectedOpenPorts(moved, 'vpn')).not.toContain(5432);
    expect(portsToScan(moved)).toEqual(expect.arrayContaining([5432, 6543]));
  });
});

describe('portsToScan', () => {
  it('covers 1-1024 and the ports the stack keeps on loopback', () => {
    const ports = portsToScan(ctx);
    expect(ports.slice(0, 1024)).toEqual(Array.from({ length: 1024 }, (_, i) => i + 1));
    expect(ports).toEqual(
      expect.arrayContaining([4190, 5432, 6379, 8080, 11211, 11332, 11333, 11334, 20000]),
    );
    expect(new Set(ports).size).toBe(ports.length);
    expect([...ports].sort((a, b) => a - b)).toEqual(ports);
  });
});

describe('sideOf', () => {
  it('knows the VPN address and the public ones, in any spelling', () => {
    expect(sideOf(ctx, '10.100.0.1', '10.100.0.2')).toBe('vpn');
    expect(sideOf(ctx, '192.0.2.10', '198.51.100.7')).toBe('internet');
    expect(sideOf(ctx, '2001:db8:0::10', undefined)).toBe('internet');
  });

  it('is the admin side when this machine is on ssh.admin_allow', () => {
    expect(sideOf(ctx, '192.0.2.10', '192.0.2.5')).toBe('admin');
    expect(sideOf(ctx, '2001:db8::10', '2001:db8:beef::1')).toBe('admin');
  });

  it('does not guess for an address the cluster file does not give the host', () => {
    expect(sideOf(ctx, '203.0.113.9', '198.51.100.7')).toBeUndefined();
  });
});

const scan = (over: Partial<PortScanResult>): PortScanResult => ({
  open: [],
  refused: [],
  silent: [],
  unreachable: [],
  seconds: 12.34,
  concurrency: 128,
  timeoutMs: 1500,
  ...over,
});

describe('evaluatePortScan', () => {
  const expected = [25, 80, 443, 465, 587];

  it('passes exactly the intended ports, and says how long the scan took', () => {
    const check = evaluatePortScan(
      scan({ open: expected, silent: Array.from({ length: 1030 }, (_, i) => 1000 + i) }),
      expected,
      'internet',
    );
    expect(check).toMatchObject({ id: 'tcp-ports', ok: true });
    expect(check.detail).toContain('open exactly 25, 80, 443, 465, 587');
    expect(check.detail).toContain('1035 ports in 12.3 s (128 at a time, 1.5 s each');
  });

  it('names every unexpected open port and every missing one, with how it failed', () => {
    const check = evaluatePortScan(
      scan({ open: [25, 80, 443, 465, 5432, 8081], refused: [587], silent: [22] }),
      [...expected, 993],
      'internet',
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('unexpected open 5432, 8081');
    expect(check.detail).toContain('missing 587 (refused), 993 (no answer)');
  });
});
