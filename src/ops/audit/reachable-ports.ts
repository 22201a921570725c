import { inNetwork } from '../../util/ip-networks.js';
import type { MailHostContext } from '../../render/host-context.js';
import { PUBLIC_TCP_PORTS, SSH_PORT } from '../../render/firewall/index.js';
import { RSPAMD_MILTER_ADDRESS } from '../../render/mail-sockets.js';
import { MEMCACHED_LISTEN, SOGO_LISTEN } from '../../render/sogo/sogo-conf.js';
import { intendedSockets } from './sockets.js';
import type { AuditCheck } from './types.js';

/**
 * Where a remote audit looks from, as the firewall sorts its sources: anywhere on the
 * internet, a network on ssh.admin_allow (the internet's ports plus SSH), or the VPN.
 */
export const AUDIT_SIDES = ['internet', 'admin', 'vpn'] as const;
export type AuditSide = (typeof AUDIT_SIDES)[number];

type PortsContext = Pick<
  MailHostContext,
  'publicAddresses' | 'vpnAddress' | 'vpnPort' | 'postgres' | 'adminAllow'
>;

/**
 * The TCP ports that must answer from one side, and no others (pure). What answers is what
 * listens on that address and what the firewall lets through, so the sets come from the
 * same intended listeners as the on-host socket check: on the public address, the ones the
 * firewall opens to the world (PUBLIC_TCP_PORTS); on the VPN address, every service bound
 * there, since the tunnel is let in whole. SSH listens everywhere and the firewall admits it
 * from the VPN and the admin networks.
 */
export function expectedOpenPorts(ctx: PortsContext, side: AuditSide): number[] {
  const { required } = intendedSockets(ctx);
  const on = (address: string) =>
    required.filter((s) => s.proto === 'tcp' && s.address === address).map((s) => s.port);
  const publicPorts = (ctx.publicAddresses[0] ? on(ctx.publicAddresses[0]) : []).filter((p) =>
    (PUBLIC_TCP_PORTS as readonly number[]).includes(p),
  );
  const ports =
    side === 'vpn'
      ? [...on(ctx.vpnAddress), SSH_PORT]
      : side === 'admin'
        ? [...publicPorts, SSH_PORT]
        : publicPorts;
  return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * Beyond the well-known range: ports of the stack's own daemons (loopback-only by design, so
 * one that answers from outside is a leak), and the alternative HTTP ports a hand-added proxy
 * or admin tool tends to take.
 */
const LEAK_PORTS = [
  2000, // ManageSieve's old port
  4190, // ManageSieve
  5432, // PostgreSQL's default, whatever the cluster file's port
  6379, // Redis (Rspamd's)
  8080,
  8443,
  MEMCACHED_LISTEN.port,
  RSPAMD_MILTER_ADDRESS.port,
  11333, // Rspamd's normal worker
  11334, // Rspamd's controller
  SOGO_LISTEN.port,
];

/** Every port a remote audit tries: 1-1024, the stack's ports and every intended one (pure). */
export function portsToScan(ctx: PortsContext): number[] {
  const ports = new Set<number>(Array.from({ length: 1024 }, (_, i) => i + 1));
  for (const p of [...LEAK_PORTS, ctx.postgres.port]) ports.add(p);
  for (const side of AUDIT_SIDES) for (const p of expectedOpenPorts(ctx, side)) ports.add(p);
  return [...ports].sort((a, b) => a - b);
}

/**
 * Which side an address of the host is seen from (pure): its VPN address from the VPN; a
 * public address from the internet, or from an admin network when the auditing machine's own
 * address lies in ssh.admin_allow. Undefined for an address the cluster file does not give
 * the host (the caller then needs to be told the side).
 */
export function sideOf(
  ctx: Pick<MailHostContext, 'publicAddresses' | 'vpnAddress' | 'adminAllow'>,
  target: string,
  source: string | undefined,
): AuditSide | undefined {
  if (inNetwork(target, ctx.vpnAddress)) return 'vpn';
  if (!ctx.publicAddresses.some((a) => inNetwork(target, a))) return undefined;
  return source !== undefined && ctx.adminAllow.some((n) => inNetwork(source, n))
    ? 'admin'
    : 'internet';
}

/** How each port of a TCP connect scan answered. */
export interface PortScanResult {
  /** The connection was accepted. */
  open: number[];
  /** Refused with a reset: reachable, nothing listening (or a reject rule). */
  refused: number[];
  /** No answer within the timeout: dropped on the way. */
  silent: number[];
  /** An ICMP error or a local refusal (no route, a firewall on this machine). */
  unreachable: number[];
  seconds: number;
  concurrency: number;
  timeoutMs: number;
}

const list = (ports: readonly number[]) => ports.join(', ') || 'none';

/**
 * The open ports are exactly the side's intended ones (pure). Every unexpected open port and
 * every missing one is named; a missing one says how it failed, since a refusal there often
 * means this machine is banned rather than that the service is down.
 */
export function evaluatePortScan(
  scan: PortScanResult,
  expected: readonly number[],
  side: AuditSide,
): AuditCheck {
  const unexpected = scan.open.filter((p) => !expected.includes(p));
  const how = (p: number) =>
    scan.refused.includes(p)
      ? 'refused'
      : scan.unreachable.includes(p)
        ? 'unreachable'
        : 'no answer';
  const missing = expected.filter((p) => !scan.open.includes(p)).map((p) => `${p} (${how(p)})`);
  const total =
    scan.open.length + scan.refused.length + scan.silent.length + scan.unreachable.length;
  const took =
    `${total} ports in ${scan.seconds.toFixed(1)} s (${scan.concurrency} at a time, ` +
    `${scan.timeoutMs / 1000} s each; ${scan.refused.length} refused, ${scan.silent.length} no answer)`;
  const problems = [
    ...(unexpected.length ? [`unexpected open ${list(unexpected)}`] : []),
    ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
  ];
  return {
    id: 'tcp-ports',
    ok: problems.length === 0,
    detail: problems.length
      ? `${problems.join('; ')} (the ${side} side should reach exactly ${list(expected)}); ${took}`
      : `open exactly ${list(expected)}, as intended for the ${side} side; ${took}`,
  };
}
