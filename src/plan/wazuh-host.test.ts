import { describe, expect, it } from 'vitest';
import { wazuhRepositoryStep } from '../apply/steps/wazuh-repository.js';
import { PREFETCH_PACKAGES } from '../lab/packages.js';
import { testHostContext } from '../render/test-host-context.js';
import { DEFAULT_WAZUH_THRESHOLDS, WAZUH_REPOSITORY } from '../render/wazuh/index.js';
import { mailHostDesiredState, mailHostPackages } from './mail-host.js';

const wazuh = {
  manager: '10.100.0.50',
  port: 1514,
  enrollmentPort: 1515,
  agentName: 'mx1',
  groups: [],
  repository: WAZUH_REPOSITORY,
  thresholds: DEFAULT_WAZUH_THRESHOLDS,
};

describe('a mail host with monitoring.wazuh', () => {
  it('gets the agent, last, with its configuration and the manager files', () => {
    const d = mailHostDesiredState(testHostContext({ wazuh }), []);
    expect(d.components.at(-1)?.name).toBe('wazuh');
    expect(d.packages).toContain('wazuh-agent');
    expect(d.files.filter((f) => f.component === 'wazuh').map((f) => f.path)).toEqual([
      '/etc/apt/sources.list.d/wazuh.sources',
      '/etc/apt/preferences.d/wazuh.pref',
      '/var/ossec/etc/ossec.conf',
      '/var/ossec/etc/authd.pass',
      '/etc/mailctl/wazuh/local_decoder.xml',
      '/etc/mailctl/wazuh/local_rules.xml',
    ]);
  });

  it('and without it, nothing of Wazuh; the lab root never holds the agent (not a Debian package)', async () => {
    const d = mailHostDesiredState(testHostContext(), []);
    expect(d.components.map((c) => c.name)).not.toContain('wazuh');
    expect(d.files.some((f) => f.path.includes('wazuh'))).toBe(false);
    expect(mailHostPackages()).not.toContain('wazuh-agent');
    expect(PREFETCH_PACKAGES).not.toContain('wazuh-agent');
    expect(await wazuhRepositoryStep(undefined).observe()).toEqual([]);
  });
});
