import type { MailHostContext } from '../host-context.js';
import { rootFile, type ComponentDescriptor, type RenderedFile } from '../types.js';
import { renderFirewallRuleset } from './ruleset.js';
import { FIREWALL_RULESET_PATH, FIREWALL_UNIT, renderFirewallUnit } from './unit.js';

export function renderFirewall(
  ctx: Pick<MailHostContext, 'vpnSubnet' | 'vpnPort' | 'adminAllow'>,
): RenderedFile[] {
  const file = (path: string, content: string) => rootFile('firewall', path, content);
  return [
    file(FIREWALL_RULESET_PATH, renderFirewallRuleset(ctx)),
    file(`/etc/systemd/system/${FIREWALL_UNIT}`, renderFirewallUnit()),
  ];
}

export const firewallComponent: ComponentDescriptor = {
  name: 'firewall',
  packages: ['nftables'],
  units: [FIREWALL_UNIT],
  // Reload is `nft -f`: one transaction, established connections (the administrator's SSH
  // session, IMAP clients) are kept by the `ct state established` rule.
  onChange: 'reload',
  // nft's own parser and the kernel's validation of the whole transaction, without
  // committing it (-c); the same file the unit then loads.
  check: ['nft', '-c', '-f', FIREWALL_RULESET_PATH],
};
