import { describe, expect, it } from 'vitest';
import { firewallComponent, renderFirewall } from '../render/firewall/index.js';
import type { ComponentDescriptor } from '../render/types.js';
import { unitsAfterFailedApply } from './failed-apply-units.js';
import type { FileChange } from './plan.js';

const ctx = { vpnSubnet: '10.100.0.0/24', vpnPort: 51820, adminAllow: [] };
const firewallFiles = (kind: FileChange['kind']) =>
  renderFirewall(ctx).map((file) => ({ file, resolved: file.content, kind, secret: false }));
const postfix: ComponentDescriptor = {
  name: 'postfix',
  packages: ['postfix'],
  units: ['postfix.service'],
  onChange: 'reload',
};

describe('unitsAfterFailedApply', () => {
  it('on a first apply: removes the units it created and stops the daemons it started', () => {
    const r = unitsAfterFailedApply(
      {
        files: firewallFiles('create'),
        changedComponents: [firewallComponent, postfix],
        unitsToEnable: ['mailctl-firewall.service', 'postfix.service'],
      },
      // Postfix's postinst enabled it; policy-rc.d kept it from starting.
      { enabledUnits: new Set(['postfix.service']), activeUnits: new Set() },
    );
    expect(r).toEqual({
      disable: ['mailctl-firewall.service'],
      stop: ['postfix.service'],
      restart: [],
    });
  });

  it('on a later apply: restarts what was running on the restored files', () => {
    const running = new Set(['mailctl-firewall.service', 'postfix.service']);
    const r = unitsAfterFailedApply(
      {
        files: firewallFiles('update'),
        changedComponents: [firewallComponent, postfix],
        unitsToEnable: [],
      },
      { enabledUnits: running, activeUnits: running },
    );
    expect(r).toEqual({
      disable: [],
      stop: [],
      restart: ['mailctl-firewall.service', 'postfix.service'],
    });
  });

  it('disables a unit it enabled that was neither enabled nor running, even with its file there', () => {
    const plan = { files: [], changedComponents: [], unitsToEnable: ['wg-quick@wg0.service'] };
    const none = new Set<string>();
    expect(unitsAfterFailedApply(plan, { enabledUnits: none, activeUnits: none }).disable).toEqual([
      'wg-quick@wg0.service',
    ]);
    const enabled = { enabledUnits: new Set(['wg-quick@wg0.service']), activeUnits: none };
    expect(unitsAfterFailedApply(plan, enabled)).toEqual({
      disable: [],
      stop: ['wg-quick@wg0.service'],
      restart: [],
    });
  });
});
