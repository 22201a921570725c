import { describe, expect, it } from 'vitest';
import { hostContextFromSpec, parseClusterFile } from './index.js';
import { clusterProblems as problems, minimalCluster } from '../../test/support/cluster-text.js';

const cluster = (wazuh: string) =>
  minimalCluster(`monitoring:
  wazuh: ${wazuh}
`);

describe('monitoring.wazuh', () => {
  it('is off unless the file asks for it', () => {
    const spec = parseClusterFile(cluster('null').replace(/monitoring:\n.*\n/, ''), 't.yaml');
    expect(hostContextFromSpec(spec).wazuh).toBeUndefined();
  });

  it("takes the manager's VPN address, with Wazuh's ports, repository and thresholds by default", () => {
    const ctx = hostContextFromSpec(
      parseClusterFile(cluster('{ manager: 10.100.0.50 }'), 't.yaml'),
    );
    expect(ctx.wazuh).toEqual({
      manager: '10.100.0.50',
      port: 1514,
      enrollmentPort: 1515,
      agentName: 'mx1',
      groups: [],
      repository: 'https://packages.wazuh.com/4.x/apt/',
      thresholds: {
        authFailures: { count: 8, seconds: 120 },
        userAuthFailures: { count: 20, seconds: 600 },
        relayDenied: { count: 5, seconds: 600 },
        bans: { count: 10, seconds: 600 },
        deferred: { count: 50, seconds: 900 },
      },
    });
  });

  it('sets each threshold as a count within a duration', () => {
    const ctx = hostContextFromSpec(
      parseClusterFile(
        cluster(
          '{ manager: 10.100.0.50, agent_name: mail-1, thresholds: { auth_failures: { count: 4, within: 5m } } }',
        ),
        't.yaml',
      ),
    );
    expect(ctx.wazuh?.agentName).toBe('mail-1');
    expect(ctx.wazuh?.thresholds.authFailures).toEqual({ count: 4, seconds: 300 });
    expect(ctx.wazuh?.thresholds.bans).toEqual({ count: 10, seconds: 600 });
  });

  it('refuses a manager outside the VPN, or the host itself', () => {
    expect(problems(cluster('{ manager: 192.0.2.7 }'))).toEqual([
      'monitoring.wazuh.manager: 192.0.2.7 is not a host address inside vpn.subnet 10.100.0.0/24 (line 9:21)',
    ]);
    expect(problems(cluster('{ manager: 10.100.0.1 }'))).toEqual([
      "monitoring.wazuh.manager: 10.100.0.1 is the VPN address of host mx1, not a manager's (line 9:21)",
    ]);
  });

  it('refuses a repository that is not https, and a threshold of one event', () => {
    expect(
      problems(cluster('{ manager: 10.100.0.50, repository: "http://mirror.example.net/wazuh/" }')),
    ).toEqual(['monitoring.wazuh.repository: must be an https:// URL (line 9:46)']);
    expect(
      problems(cluster('{ manager: 10.100.0.50, thresholds: { bans: { count: 1 } } }')).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['monitoring.wazuh.thresholds.bans.count']);
  });
});
