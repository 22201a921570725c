import { describe, expect, it } from 'vitest';
import { clusterProblems as problems, minimalCluster } from '../../test/support/cluster-text.js';
import { clusterDeclarations } from './index.js';

const file = (grants: string) =>
  minimalCluster(`    mailboxes:
      - local_part: demo
  - name: example.net
    mailboxes:
      - local_part: rita
        send_as: ${grants}
`);

describe('send_as grants in the cluster file', () => {
  it('lists each grant with its grantee and the line that grants it', () => {
    const text = file('[billing@example.com, "@example.net"]');
    expect(clusterDeclarations(text, 't.yaml').sendAs).toEqual([
      { login: 'rita@example.net', address: 'billing@example.com', line: 13 },
      { login: 'rita@example.net', address: '@example.net', line: 13 },
    ]);
    expect(clusterDeclarations(file('[]'), 't.yaml').sendAs).toEqual([]);
  });

  it('refuses a grant outside the file domains, a repeated one and one that is no address, with its path', () => {
    expect(
      problems(file('[ceo@paypal.com, "@example.org", billing@example.com, billing@example.com]')),
    ).toEqual([
      'domains[1].mailboxes[0].send_as[0]: ceo@paypal.com is not in a domain of this file (example.com, example.net); only those are signed here (line 13:19)',
      'domains[1].mailboxes[0].send_as[1]: @example.org is not in a domain of this file (example.com, example.net); only those are signed here (line 13:35)',
      "domains[1].mailboxes[0].send_as[3]: duplicate send_as grant 'billing@example.com' (line 13:72)",
    ]);
    expect(problems(file('[Billing@Example.com]'))).toEqual([
      'domains[1].mailboxes[0].send_as[0]: must be an address, or @domain for every address of a domain (line 13:19)',
    ]);
  });
});
