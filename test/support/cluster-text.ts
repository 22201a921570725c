/**
 * The smallest cluster file the parser accepts, for tests of one section: each test adds
 * the section it is about after the domains.
 */
import { parseClusterFile } from '../../src/spec/index.js';
import { ValidationError } from '../../src/util/errors.js';

export const minimalCluster = (extra = ''): string => `hosts:
  - name: mx1
    fqdn: mail.example.com
    public_addresses: [198.51.100.10]
    vpn_address: 10.100.0.1
domains:
  - name: example.com
${extra}`;

/** The parser's findings as `path: message` lines; none when the text is accepted. */
export function clusterProblems(text: string): string[] {
  try {
    parseClusterFile(text, 't.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}
