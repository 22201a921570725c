import type { MailHostContext } from '../../render/host-context.js';
import { PUBLIC_TCP_PORTS, SSH_PORT } from '../../render/firewall/index.js';
import type { AuditCheck } from './types.js';

/** A listening socket as `ss -Htlnu` shows it. */
export interface ListeningSocket {
  proto: 'tcp' | 'udp';
  /** The local address without brackets or interface suffix; `*` for every address. */
  address: string;
  port: number;
}

/** Parses `ss -Htlnu` (netid, state, recv-q, send-q, local, peer); pure. */
export function parseSs(output: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of output.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const [proto, , , , local] = cols;
    if ((proto !== 'tcp' && proto !== 'udp') || !local) continue;
    const at = local.lastIndexOf(':');
    const address = local
      .slice(0, at)
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '');
    sockets.push({
      proto,
      address: ['0.0.0.0', '::', '*'].includes(address) ? '*' : address,
      port: Number(local.slice(at + 1)),
    });
  }
  return sockets;
}

/**
 * Ports the VPN side serves: unbound (the VPN's resolver, TCP and UDP), POP3, IMAP,
 * IMAPS, POP3S, ManageSieve; PostgreSQL is added from the cluster file.
 */
const VPN_ONLY_PORTS = [53, 110, 143, 993, 995, 4190] as const;

/**
 * What may listen beyond loopback, and what must (pure, from the cluster file). SSH is
 * the one wildcard listener: the firewall, not the bind address, keeps it to the VPN and
 * the admin allow-list, so that a change of public address cannot cut the way in.
 */
export function intendedSockets(
  ctx: Pick<MailHostContext, 'publicAddresses' | 'vpnAddress' | 'vpnPort' | 'postgres'>,
): { allowed: ListeningSocket[]; required: ListeningSocket[] } {
  const tcp = (address: string, port: number): ListeningSocket => ({ proto: 'tcp', address, port });
  // Postfix (25, 465, 587) and nginx (80 for ACME, 443) on the public addresses; on the
  // VPN address Postfix, Dovecot, PostgreSQL, unbound and nginx's internal server (443).
  const publicPorts = [25, 80, 443, 465, 587];
  const vpnPorts = [25, 443, 465, 587, ...VPN_ONLY_PORTS, ctx.postgres.port];
  const required = [
    ...ctx.publicAddresses.flatMap((a) => publicPorts.map((p) => tcp(a, p))),
    ...vpnPorts.map((p) => tcp(ctx.vpnAddress, p)),
  ];
  const allowed = [
    ...ctx.publicAddresses.flatMap((a) => PUBLIC_TCP_PORTS.map((p) => tcp(a, p))),
    ...[...PUBLIC_TCP_PORTS, ...VPN_ONLY_PORTS, ctx.postgres.port].map((p) =>
      tcp(ctx.vpnAddress, p),
    ),
    tcp('*', SSH_PORT),
    { proto: 'udp' as const, address: '*', port: ctx.vpnPort },
    { proto: 'udp' as const, address: ctx.vpnAddress, port: 53 },
  ];
  return { allowed, required };
}

const isLoopback = (a: string) => a.startsWith('127.') || a === '::1';
const key = (s: ListeningSocket) =>
  `${s.proto} ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;

/** Every non-loopback listener is intended, and every intended service listens (pure). */
export function evaluateSockets(
  listening: readonly ListeningSocket[],
  intended: ReturnType<typeof intendedSockets>,
): AuditCheck {
  const allowed = new Set(intended.allowed.map(key));
  const present = new Set(listening.map(key));
  const unexpected = listening.filter((s) => !isLoopback(s.address) && !allowed.has(key(s)));
  const missing = intended.required.filter((s) => !present.has(key(s)));
  const problems = [
    ...[...new Set(unexpected.map(key))].map((k) => `unexpected ${k}`),
    ...missing.map((s) => `not listening ${key(s)}`),
  ];
  return {
    id: 'listening-sockets',
    ok: problems.length === 0,
    detail: problems.length
      ? problems.join('; ')
      : `${listening.filter((s) => !isLoopback(s.address)).length} non-loopback listeners, all intended; every service listens`,
  };
}
