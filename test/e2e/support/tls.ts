import { labRun } from './cli.js';

export interface Handshake {
  /** True when the TLS handshake completed. */
  ok: boolean;
  /** The negotiated protocol, e.g. TLSv1.3. */
  protocol?: string;
  /** openssl's verification result against `caFile` ("0 (ok)" when the chain reaches it). */
  verify?: string;
  /** The server's leaf certificate, PEM. */
  leafPem?: string;
  output: string;
}

/**
 * One TLS handshake with this machine's openssl s_client from a lab namespace.
 * `version` pins the protocol; for TLS 1.0 and 1.1 the client's own security level is
 * lowered, so that a refusal can only come from the server.
 */
export function handshake(
  lab: string,
  ns: 'internet' | 'vpn',
  opts: {
    host: string;
    port: number;
    servername?: string;
    starttls?: 'smtp' | 'imap' | 'pop3' | 'sieve';
    version?: 'tls1' | 'tls1_1' | 'tls1_2' | 'tls1_3';
    caFile?: string;
    /** An OpenSSL cipher list to offer alone (at security level 0, like old protocols). */
    cipher?: string;
  },
): Handshake {
  const args = ['openssl', 's_client', '-connect', `${opts.host}:${opts.port}`];
  if (opts.servername) args.push('-servername', opts.servername);
  if (opts.starttls) args.push('-starttls', opts.starttls);
  if (opts.version) args.push(`-${opts.version}`);
  if (opts.cipher) args.push('-cipher', `${opts.cipher}@SECLEVEL=0`);
  else if (opts.version === 'tls1' || opts.version === 'tls1_1')
    args.push('-cipher', 'DEFAULT@SECLEVEL=0');
  if (opts.caFile) args.push('-CAfile', opts.caFile);
  const r = labRun(lab, ns, ['timeout', '20', ...args], { input: '', timeoutMs: 60_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  const protocol =
    /^\s*Protocol\s*:\s*(\S+)/m.exec(output)?.[1] ?? /^New, (TLSv[\d.]+),/m.exec(output)?.[1];
  const cipher = /^New, [^,]+, Cipher is (\S+)/m.exec(output)?.[1];
  return {
    ok: cipher !== undefined && cipher !== '(NONE)',
    protocol,
    verify: /Verify return code: (.*)$/m.exec(output)?.[1]?.trim(),
    leafPem: /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(r.stdout)?.[0],
    output,
  };
}
