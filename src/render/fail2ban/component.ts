import type { MailHostContext } from '../host-context.js';
import { renderSogoFail2banFilter } from '../sogo/index.js';
import { rootFile, type ComponentDescriptor, type RenderedFile } from '../types.js';
import { renderDovecotFail2banFilter } from './dovecot-filter.js';
import {
  FAIL2BAN_JAIL_PATH,
  FAIL2BAN_SETTINGS_PATH,
  renderFail2banJails,
  renderFail2banSettings,
} from './jails.js';

export function renderFail2ban(
  ctx: Pick<MailHostContext, 'vpnSubnet' | 'vpnAddress' | 'adminAllow' | 'fail2ban'>,
): RenderedFile[] {
  const file = (path: string, content: string) => rootFile('fail2ban', path, content);
  return [
    file(FAIL2BAN_JAIL_PATH, renderFail2banJails(ctx)),
    file(FAIL2BAN_SETTINGS_PATH, renderFail2banSettings()),
    renderSogoFail2banFilter(),
    renderDovecotFail2banFilter(),
  ];
}

export const fail2banComponent: ComponentDescriptor = {
  name: 'fail2ban',
  // python3-systemd: the journal backend (without it Fail2ban cannot start the jails).
  packages: ['fail2ban', 'python3-systemd', 'nftables'],
  units: ['fail2ban.service'],
  // `fail2ban-client reload` re-reads the jails and keeps the current bans.
  onChange: 'reload',
  // Fail2ban's own reading of every jail, filter and action, as the server would load them.
  check: ['fail2ban-client', '--test'],
};
