import { isIpv6Address } from '../../util/ip-networks.js';
import { UserError } from '../../util/errors.js';
import { AUDIT_SIDES, type AuditSide } from './reachable-ports.js';

/** `mailctl audit` options as commander hands them over. */
export interface RawAuditOptions {
  cluster: string;
  host?: string;
  remote?: string;
  side?: string;
  tlsPorts?: string;
  json?: boolean;
  tls: boolean;
  lynis: boolean;
}

export interface AuditPlan {
  cluster: string;
  host?: string;
  /** Audit from this machine, at this address or name; on the host itself when absent. */
  remote?: { address: string; side?: AuditSide };
  tls: boolean;
  tlsPorts?: number[];
  lynis: boolean;
  json: boolean;
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/** A host name, an IPv4 address or an IPv6 address: no port, no URL, no brackets. */
function isAddressOrName(s: string): boolean {
  return s.includes(':') ? isIpv6Address(s) : HOST_NAME.test(s);
}

/** Checks the audit's options before anything is read or sent (pure). */
export function parseAuditOptions(o: RawAuditOptions): AuditPlan {
  if (o.side !== undefined && o.remote === undefined)
    throw new UserError(
      'E_USAGE',
      '--side needs --remote: on the host, the audit checks its own sockets instead',
    );
  if (o.side !== undefined && !(AUDIT_SIDES as readonly string[]).includes(o.side))
    throw new UserError('E_USAGE', `--side: '${o.side}' is not one of ${AUDIT_SIDES.join(', ')}`);
  if (o.remote !== undefined && !isAddressOrName(o.remote))
    throw new UserError(
      'E_USAGE',
      `--remote: '${o.remote}' is not an address or a host name (no port, no URL)`,
    );
  let tlsPorts: number[] | undefined;
  if (o.tlsPorts !== undefined) {
    if (!o.tls) throw new UserError('E_USAGE', '--tls-ports and --no-tls contradict each other');
    tlsPorts = o.tlsPorts.split(',').map((p) => {
      const n = Number(p.trim());
      if (!/^\d+$/.test(p.trim()) || n < 1 || n > 65535)
        throw new UserError('E_USAGE', `--tls-ports: '${p}' is not a port number`);
      return n;
    });
  }
  return {
    cluster: o.cluster,
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.remote !== undefined
      ? {
          remote: {
            address: o.remote,
            ...(o.side !== undefined ? { side: o.side as AuditSide } : {}),
          },
        }
      : {}),
    tls: o.tls,
    ...(tlsPorts ? { tlsPorts } : {}),
    // Lynis reads the host's own files: it has nothing to look at from outside.
    lynis: o.lynis && o.remote === undefined,
    json: o.json === true,
  };
}
