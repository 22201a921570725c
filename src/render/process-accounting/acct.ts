import type { ComponentDescriptor } from '../types.js';

/**
 * BSD process accounting: the kernel records every process that ends (command, user,
 * exit status, CPU time) in /var/log/account/pacct (root:adm 0640), which `lastcomm` and
 * `sa` read back, so that after an incident there is a record of what ran even where a
 * shell history was wiped. acct's daily cron job rotates the file (savelog) and keeps 30
 * days (ACCT_LOGGING in /etc/default/acct); without cron it would only grow, so cron
 * comes with it.
 */
export const processAccountingComponent: ComponentDescriptor = {
  name: 'process-accounting',
  packages: ['acct', 'cron'],
  units: ['acct.service', 'cron.service'],
  onChange: 'restart',
};
