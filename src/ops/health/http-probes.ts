import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { critical, ok, warning, type Finding } from './run-checks.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * One HTTP(S) request to an address, with the host name as Host and SNI. The certificate is
 * not verified here (the `certificate` check reads it): this probes the service behind it.
 */
export function httpAsk(
  url: string,
  opts: { hostname?: string; method?: string; body?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.hostname ? { host: opts.hostname } : {},
        servername: opts.hostname,
        rejectUnauthorized: false,
        timeout: opts.timeoutMs ?? 8_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 65_536) body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Rspamd's controller answers /ping with pong once its workers run. */
export async function rspamdPing(controller: string): Promise<Finding> {
  const r = await httpAsk(`http://${controller}/ping`);
  return r.status === 200 && r.body.trim() === 'pong'
    ? ok('/ping answered pong')
    : critical(`/ping answered ${r.status} ${r.body.trim().slice(0, 80)}`);
}

/** The GTUBE test string (rspamd.com/doc/other/gtube_patterns): Rspamd must reject it. */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

/** A scan of a GTUBE message through the controller's /checkv2: the action must be reject. */
export async function rspamdGtube(controller: string): Promise<Finding> {
  const message = [
    'From: health@example.invalid',
    'To: health@example.invalid',
    'Subject: mailctl health GTUBE',
    '',
    GTUBE,
    '',
  ].join('\r\n');
  const r = await httpAsk(`http://${controller}/checkv2`, { method: 'POST', body: message });
  const action = r.status === 200 ? (JSON.parse(r.body) as { action?: string }).action : undefined;
  return action === 'reject'
    ? ok('GTUBE scanned: reject')
    : critical(`GTUBE not rejected: ${action ?? `HTTP ${r.status}`}`);
}

/**
 * A page through nginx: critical when nothing answers or it answers 5xx (the backend behind
 * it is down: 502), a warning for a status other than the expected one.
 */
export async function pageCheck(
  url: string,
  hostname: string,
  expect: { status: number; contains?: string },
): Promise<Finding> {
  const r = await httpAsk(url, { hostname });
  if (r.status >= 500 || r.status === 0) return critical(`${url} answered ${r.status}`);
  if (r.status !== expect.status || (expect.contains && !r.body.includes(expect.contains)))
    return warning(`${url} answered ${r.status}, expected ${expect.status}`);
  return ok(`${url} answered ${r.status}`);
}
