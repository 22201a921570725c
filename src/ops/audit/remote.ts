import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inNetwork } from '../../util/ip-networks.js';
import type { MailHostContext } from '../../render/host-context.js';
import { UserError } from '../../util/errors.js';
import type { Progress } from '../../util/progress.js';
import { tcpConnectScan } from './port-scan.js';
import {
  evaluatePortScan,
  expectedOpenPorts,
  portsToScan,
  sideOf,
  type AuditSide,
  type PortScanResult,
} from './reachable-ports.js';
import { buildReport } from './report.js';
import { smtpProbes } from './smtp-probes.js';
import { tlsChecks } from './tls-scan.js';
import { remoteTlsTargets, selectTlsTargets } from './tls-targets.js';
import type { AuditCheck, AuditReport } from './types.js';

export interface RemoteAuditOptions {
  /** An address of the host, or a name that resolves to one. */
  address: string;
  /** Where this machine stands; inferred from the address when absent. */
  side?: AuditSide;
  tls: boolean;
  tlsPorts?: number[];
  selfSigned: boolean;
}

/**
 * About 1035 ports at 128 at a time: a dropped port costs the whole timeout, so the scan
 * takes some 13 s. 1.5 s leaves room for one lost SYN (Linux sends it again after 1 s).
 */
const SCAN = { concurrency: 128, timeoutMs: 1500 };
/** A port that should be open but stayed silent gets one slower try before it is missing. */
const RETRY_TIMEOUT_MS = 5000;

/**
 * The checks that can be made from another machine, against one address of the host: a
 * TCP scan whose open ports must be exactly the side's intended ones, the SMTP probes, and
 * the TLS scan of the side's TLS ports. The host's own sockets and Lynis need the host.
 */
export async function runRemoteAudit(
  ctx: MailHostContext,
  opts: RemoteAuditOptions,
  progress: Progress,
): Promise<AuditReport> {
  const ip = await resolveTarget(ctx, opts.address);
  const side = opts.side ?? sideOf(ctx, ip, await sourceAddressTowards(ip));
  if (!side)
    throw new UserError(
      'E_AUDIT_TARGET',
      `${opts.address}${ip === opts.address ? '' : ` (${ip})`} is not an address of ${ctx.name} in the cluster file ` +
        `(public ${ctx.publicAddresses.join(', ')}, VPN ${ctx.vpnAddress}): pass --side internet, admin or vpn to audit it anyway`,
    );
  const expected = expectedOpenPorts(ctx, side);
  const targets = opts.tls ? selectTlsTargets(remoteTlsTargets(expected, ip), opts.tlsPorts) : [];
  const work = await mkdtemp(join(tmpdir(), 'mailctl-audit-'));
  try {
    const ports = portsToScan(ctx);
    progress.step(
      `TCP connect scan of ${ip}, ${ports.length} ports (${SCAN.concurrency} at a time, ${SCAN.timeoutMs / 1000} s each), and the SMTP probes`,
    );
    // All at once: the TLS scan takes minutes, and the probes hold one connection at a time
    // and mostly wait for replies.
    const [scan, probes, tls] = await Promise.all([
      scanFor(ip, ports, expected),
      smtpProbes(ctx, ip),
      tlsChecks(ctx.fqdn, targets, { work, selfSigned: opts.selfSigned }, progress),
    ]);
    const checks: AuditCheck[] = [evaluatePortScan(scan, expected, side), ...probes, ...tls.checks];
    return {
      ...buildReport(checks, tls.scans),
      remote: { host: ctx.name, address: ip, side },
      portScan: { ...scan, expected },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The scan, and a slower second try for the intended ports that stayed silent in it. */
async function scanFor(
  ip: string,
  ports: readonly number[],
  expected: readonly number[],
): Promise<PortScanResult> {
  const scan = await tcpConnectScan(ip, ports, SCAN);
  const late = expected.filter((p) => scan.silent.includes(p));
  if (late.length === 0) return scan;
  const again = await tcpConnectScan(ip, late, {
    concurrency: late.length,
    timeoutMs: RETRY_TIMEOUT_MS,
  });
  return {
    ...scan,
    open: [...scan.open, ...again.open].sort((a, b) => a - b),
    silent: scan.silent.filter((p) => !again.open.includes(p)),
    seconds: scan.seconds + again.seconds,
  };
}

/** The address itself, or what a name resolves to (preferring an address of the host). */
async function resolveTarget(ctx: MailHostContext, address: string): Promise<string> {
  if (isIP(address)) return address;
  let found: { address: string }[];
  try {
    found = await lookup(address, { all: true });
  } catch (e) {
    throw new UserError('E_AUDIT_TARGET', `cannot resolve ${address}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const own = [...ctx.publicAddresses, ctx.vpnAddress];
  const first = found.find((f) => own.some((a) => inNetwork(f.address, a))) ?? found[0];
  if (!first) throw new UserError('E_AUDIT_TARGET', `${address} resolves to no address`);
  return first.address;
}

/**
 * The address this machine would send from to reach `ip` (a connected UDP socket asks the
 * routing table; nothing is sent). Behind NAT it is the private one, which the host never
 * sees: then --side says where the machine stands.
 */
function sourceAddressTowards(ip: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (address: string | undefined) => {
      if (settled) return;
      settled = true;
      sock.close();
      resolve(address);
    };
    sock.once('error', () => finish(undefined));
    sock.connect(9, ip, () => finish(sock.address().address));
  });
}
