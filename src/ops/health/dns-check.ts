/**
 * `mailctl health --dns`: `mailctl dns --check` as one health check. A record that is
 * missing or says something else is a warning: mail still comes in, but other servers may
 * refuse or mark what the host sends.
 */
import { dnsRecordsInput } from '../dkim/dns-input.js';
import { checkDns, resolverLookups, type CheckRow, type Lookups } from '../dns-check/index.js';
import type { MailHostContext } from '../../render/host-context.js';
import { ok, warning, type Check, type Finding } from './run-checks.js';

export function assessDnsRows(rows: readonly CheckRow[]): Finding {
  const bad = rows.filter((r) => r.state !== 'present');
  if (!bad.length) return ok(`all ${rows.length} records published ('mailctl dns --check')`);
  return warning(
    `${bad.length} of ${rows.length} records not as 'mailctl dns' prints them: ` +
      bad.map((r) => `${r.name} ${r.type} ${r.state}`).join('; '),
  );
}

export function dnsCheck(ctx: MailHostContext, lookups: () => Lookups = resolverLookups): Check {
  return {
    name: 'dns',
    timeoutMs: 30_000,
    run: async () => assessDnsRows(await checkDns((await dnsRecordsInput(ctx)).input, lookups())),
  };
}
