import { labRun } from './cli.js';

export interface HttpResponse {
  /** curl's exit status: 0 when a response came back, 7 (refused) or 28 (timeout) when none did. */
  code: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP(S) request with this machine's curl, from a lab namespace. Certificates are not
 * verified unless `cacert` is given (the TLS tests check them with openssl, one by one).
 */
export function httpFrom(
  lab: string,
  ns: 'internet' | 'vpn',
  url: string,
  opts: {
    method?: string;
    headers?: string[];
    cacert?: string;
    timeoutS?: number;
    /** curl's --resolve HOST:PORT:ADDRESS, to reach a name where the side's DNS would not lead. */
    resolve?: string;
  } = {},
): HttpResponse {
  const args = ['curl', '-sS', '-i', '--max-time', String(opts.timeoutS ?? 10)];
  args.push(...(opts.cacert ? ['--cacert', opts.cacert] : ['-k']));
  if (opts.resolve) args.push('--resolve', opts.resolve);
  if (opts.method) args.push('-X', opts.method);
  for (const h of opts.headers ?? []) args.push('-H', h);
  const r = labRun(lab, ns, [...args, url], { timeoutMs: 60_000 });
  const [head = '', ...rest] = r.stdout.split(/\r\n\r\n/);
  const lines = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return {
    code: r.code,
    status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0),
    headers,
    body: rest.join('\r\n\r\n'),
  };
}
