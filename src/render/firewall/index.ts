export { firewallComponent, renderFirewall } from './component.js';
export { FIREWALL_TABLE, PUBLIC_TCP_PORTS, renderFirewallRuleset, SSH_PORT } from './ruleset.js';
export { FIREWALL_RULESET_PATH, FIREWALL_UNIT } from './unit.js';
