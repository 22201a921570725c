import { UserError } from '../../util/errors.js';
import { expectedOpenPorts } from './reachable-ports.js';

/** One port for testssl: where to connect, and the protocol that leads into TLS there. */
export interface TlsTarget {
  port: number;
  ip: string;
  starttls?: 'smtp';
}

/** The ports that speak TLS: HTTPS, submission (implicit and STARTTLS), IMAPS, POP3S. */
const TLS_PORTS: readonly Omit<TlsTarget, 'ip'>[] = [
  { port: 443 },
  { port: 465 },
  { port: 587, starttls: 'smtp' },
  { port: 993 },
  { port: 995 },
];

type TargetsContext = Parameters<typeof expectedOpenPorts>[0];

/**
 * On the host (pure): each TLS port where the outside meets it, the public address for
 * what the internet reaches and the VPN address for the rest. nginx's VPN-side server on
 * 443 shares the public one's TLS settings; the public one is what the internet sees.
 */
export function onHostTlsTargets(ctx: TargetsContext): TlsTarget[] {
  const publicPorts = expectedOpenPorts(ctx, 'internet');
  const publicIp = ctx.publicAddresses[0] ?? ctx.vpnAddress;
  return TLS_PORTS.map((t) => ({
    ...t,
    ip: publicPorts.includes(t.port) ? publicIp : ctx.vpnAddress,
  }));
}

/** From outside (pure): the TLS ports the side should reach, all at the audited address. */
export function remoteTlsTargets(expectedOpen: readonly number[], ip: string): TlsTarget[] {
  return TLS_PORTS.filter((t) => expectedOpen.includes(t.port)).map((t) => ({ ...t, ip }));
}

/**
 * Only the ports asked for (--tls-ports), each of which must be one of the targets (pure):
 * a scan of a port that does not speak TLS, or that the side cannot reach, would only fail.
 */
export function selectTlsTargets(
  targets: readonly TlsTarget[],
  ports: readonly number[] | undefined,
): TlsTarget[] {
  if (!ports) return [...targets];
  const offered = targets.map((t) => t.port);
  const bad = ports.filter((p) => !offered.includes(p));
  if (bad.length)
    throw new UserError(
      'E_USAGE',
      `--tls-ports: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not among the TLS ports this audit can scan (${offered.join(', ')})`,
    );
  return targets.filter((t) => ports.includes(t.port));
}
