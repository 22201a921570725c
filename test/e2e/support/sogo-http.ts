/**
 * SOGo as a script sees it, without a browser: curl from the lab's VPN client to the
 * host's nginx, by the host's name (SOGo is served on the VPN side only).
 */
import { labRun } from './cli.js';

/** curl's arguments to reach the host's SOGo at `vpnAddress`; `-w` prints the status last. */
export function sogoCurlArgs(vpnAddress: string): string[] {
  return [
    'curl',
    '-sk',
    '--max-time',
    '10',
    '--resolve',
    `mail.example.com:443:${vpnAddress}`,
    '-w',
    '\n%{http_code}\n',
  ];
}

export interface SogoAnswer {
  /** The HTTP status; 000 when nothing answered (a ban drops the packets). */
  status: string;
  /** SOGo's password-policy code in a refused login's body ("" when there is none). */
  policy: string;
}

/** Each answer in curl's output made with sogoCurlArgs (a body line, then the status). */
export function sogoAnswers(out: string): SogoAnswer[] {
  return [...out.matchAll(/^(.*)\n(\d{3})$/gm)].map((m) => ({
    status: m[2] ?? '',
    policy: /"LDAPPasswordPolicyError":(\d+)/.exec(m[1] ?? '')?.[1] ?? '',
  }));
}

/** One webmail login (POST /SOGo/connect), the password on curl's stdin. */
export function sogoLogin(lab: string, vpnAddress: string, user: string, pass: string): SogoAnswer {
  const r = labRun(
    lab,
    'vpn',
    [
      ...sogoCurlArgs(vpnAddress),
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      '@-',
      'https://mail.example.com/SOGo/connect',
    ],
    { input: JSON.stringify({ userName: user, password: pass }) },
  );
  return sogoAnswers(r.stdout)[0] ?? { status: '', policy: '' };
}

/** The status of SOGo's login page. */
export function sogoPageStatus(lab: string, vpnAddress: string): string {
  const r = labRun(lab, 'vpn', [
    ...sogoCurlArgs(vpnAddress),
    '-o',
    '/dev/null',
    'https://mail.example.com/SOGo/',
  ]);
  return sogoAnswers(r.stdout)[0]?.status ?? '';
}
