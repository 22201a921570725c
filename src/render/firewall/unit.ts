import { generatedHeader } from '../types.js';
import { FIREWALL_TABLE } from './ruleset.js';

export const FIREWALL_RULESET_PATH = '/etc/mailctl/firewall.nft';
export const FIREWALL_UNIT = 'mailctl-firewall.service';

/**
 * The unit that loads the ruleset at boot, before any network is up (as Debian's own
 * nftables.service does), and on reload. mailctl has its own unit rather than Debian's
 * /etc/nftables.conf because nftables.service stops with `flush ruleset`, which would
 * also remove the VPN guard and Fail2ban's bans; this one removes only its own table.
 */
export function renderFirewallUnit(): string {
  return `${generatedHeader()}[Unit]
Description=mailctl host firewall (nftables table ${FIREWALL_TABLE})
Wants=network-pre.target
Before=network-pre.target shutdown.target
Conflicts=shutdown.target
DefaultDependencies=no

[Service]
Type=oneshot
RemainAfterExit=yes
StandardInput=null
ExecStart=/usr/sbin/nft -f ${FIREWALL_RULESET_PATH}
ExecReload=/usr/sbin/nft -f ${FIREWALL_RULESET_PATH}
ExecStop=/usr/sbin/nft delete table inet ${FIREWALL_TABLE}

[Install]
WantedBy=sysinit.target
`;
}
