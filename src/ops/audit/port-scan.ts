import { connect } from 'node:net';
import type { PortScanResult } from './reachable-ports.js';

type PortState = 'open' | 'refused' | 'silent' | 'unreachable';

/** One full TCP connection attempt, closed as soon as it is answered. */
function knock(host: string, port: number, timeoutMs: number): Promise<PortState> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (state: PortState) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done('silent'), timeoutMs);
    sock.once('connect', () => done('open'));
    sock.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'refused' : 'unreachable'),
    );
  });
}

/**
 * A TCP connect scan (no raw sockets, so no root needed on the auditing machine), bounded:
 * at most `concurrency` attempts in flight, each given up after `timeoutMs`. A dropped port
 * costs the whole timeout, so the scan takes about ports / concurrency × timeout.
 */
export async function tcpConnectScan(
  host: string,
  ports: readonly number[],
  opts: { concurrency: number; timeoutMs: number },
): Promise<PortScanResult> {
  const started = Date.now();
  const result: PortScanResult = {
    open: [],
    refused: [],
    silent: [],
    unreachable: [],
    seconds: 0,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
  };
  let next = 0;
  const worker = async () => {
    while (next < ports.length) {
      const port = ports[next++] as number;
      result[await knock(host, port, opts.timeoutMs)].push(port);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, ports.length) }, worker));
  for (const key of ['open', 'refused', 'silent', 'unreachable'] as const)
    result[key].sort((a, b) => a - b);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
