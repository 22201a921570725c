import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../../util/errors.js';
import type { BenchTarget } from './lab-target.js';

/** /proc/loadavg's 1-minute figure: absolute figures mean nothing without it. */
export const loadAverage = (): number =>
  Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? 0);

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const benchDate = () => `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Mailboxes of the run's own in the host's first domain, with one random password (on
 * stdin only), spam thresholds raised so that nothing is greylisted, and `seed` messages
 * each in INBOX. Removed by removeBenchMailboxes.
 */
export async function addBenchMailboxes(
  t: BenchTarget,
  prefix: string,
  n: number,
  seed = 0,
): Promise<{ users: string[]; pass: string }> {
  const domains = JSON.parse(await t.host('mailctl domain list --json')) as {
    domain?: string;
    name?: string;
  }[];
  const domain = domains[0]?.domain ?? domains[0]?.name;
  if (!domain)
    throw new UserError('E_BENCH_NO_DOMAIN', 'the host serves no domain to send to', {
      exitCode: 1,
    });
  const tag = randomBytes(4).toString('hex');
  const users = Array.from({ length: n }, (_, i) => `${prefix}-${tag}-${i + 1}@${domain}`);
  const pass = randomBytes(18).toString('base64url');
  await t.host(
    [
      'read -r p',
      `for u in ${users.map(shellQuote).join(' ')}; do`,
      '  printf "%s\\n" "$p" | mailctl mailbox add "$u" --quota 0 --password-stdin >/dev/null',
      '  mailctl spam set "$u" --greylist 1000 --add-header 1000 --reject 1000 >/dev/null',
      `  for i in $(seq ${seed}); do`,
      '    printf "From: bench@example.org\\nTo: %s\\nSubject: bench %s\\nMessage-ID: <%s.%s@bench>\\n\\n%s\\n" "$u" "$i" "$i" "$u" "$(seq 60)" | doveadm save -u "$u"',
      '  done',
      'done',
    ].join('\n'),
    { input: `${pass}\n`, timeoutMs: 600_000 },
  );
  return { users, pass };
}

export async function removeBenchMailboxes(t: BenchTarget, users: readonly string[]) {
  await t.host(
    `for u in ${users.map(shellQuote).join(' ')}; do mailctl mailbox remove "$u" >/dev/null; done`,
  );
}
