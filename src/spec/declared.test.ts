import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError, ValidationError } from '../util/errors.js';
import { clusterDeclarations, findDeclaration, refuseIfDeclared } from './declared.js';

const example = readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8');
const FILE = '/etc/mailctl/cluster.yaml';

/** The 1-based line of the example on which `text` first appears. */
const lineOf = (text: string) => example.split('\n').findIndex((l) => l.includes(text)) + 1;

const withPeer = `hosts:
  - name: mx1
    fqdn: mail.example.com
    public_addresses: [198.51.100.10]
    vpn_address: 10.100.0.1
vpn:
  peers:
    - name: alice-laptop
      public_key: ${'A'.repeat(43)}=
      address: 10.100.0.10
domains:
  - name: Example.com
`;

describe('clusterDeclarations', () => {
  it('lists what the example declares, each at the line of its name', () => {
    const d = clusterDeclarations(example, FILE);
    expect(d.domains).toEqual([
      { name: 'example.com', line: lineOf('- name: example.com') },
      { name: 'example.net', line: lineOf('- name: example.net') },
    ]);
    expect(d.mailboxes).toEqual([
      { address: 'demo@example.com', quotaBytes: 2 * 1024 ** 3, line: lineOf('local_part: demo') },
      {
        address: 'postmaster@example.net',
        quotaBytes: 500 * 1024 ** 2,
        line: lineOf('local_part: postmaster'),
      },
    ]);
    expect(d.aliases).toEqual([
      {
        source: 'postmaster@example.com',
        destinations: ['demo@example.com'],
        line: lineOf('source: postmaster@example.com'),
      },
      {
        source: 'info@example.com',
        destinations: ['demo@example.com'],
        line: lineOf('source: info@example.com'),
      },
    ]);
    expect(d.vpnPeers).toEqual([]);
  });

  it('finds VPN peers at their name line', () => {
    expect(clusterDeclarations(withPeer.replace('Example', 'example'), FILE).vpnPeers).toEqual([
      { name: 'alice-laptop', publicKey: `${'A'.repeat(43)}=`, address: '10.100.0.10', line: 8 },
    ]);
  });

  it('refuses an invalid file as validate does, naming it', () => {
    expect(() => clusterDeclarations(withPeer, 'c.yaml')).toThrow(ValidationError);
    expect(() => clusterDeclarations(withPeer, 'c.yaml')).toThrow(/^c\.yaml: 1 problem/);
  });
});

describe('findDeclaration', () => {
  const d = clusterDeclarations(example, FILE);

  it('answers file and line for each kind, ignoring case and spaces', () => {
    expect(findDeclaration(d, 'mailbox', ' Demo@Example.com')).toEqual({
      file: FILE,
      line: lineOf('local_part: demo'),
    });
    expect(findDeclaration(d, 'domain', 'example.net')?.line).toBe(lineOf('- name: example.net'));
    expect(findDeclaration(d, 'alias', 'info@example.com')?.line).toBe(
      lineOf('source: info@example.com'),
    );
  });

  it('answers nothing for what the file does not declare', () => {
    expect(findDeclaration(d, 'mailbox', 'other@example.com')).toBeUndefined();
    // An alias source is not a mailbox, nor a mailbox an alias.
    expect(findDeclaration(d, 'mailbox', 'info@example.com')).toBeUndefined();
    expect(findDeclaration(d, 'alias', 'demo@example.com')).toBeUndefined();
    expect(findDeclaration(d, 'domain', 'example.org')).toBeUndefined();
    expect(findDeclaration(d, 'vpn-peer', 'alice-laptop')).toBeUndefined();
  });
});

describe('refuseIfDeclared', () => {
  const d = clusterDeclarations(example, FILE);

  it('throws E_DECLARED_IN_CLUSTER_FILE (exit 1) naming file:line and what to do', () => {
    let error: unknown;
    try {
      refuseIfDeclared(d, 'mailbox', 'demo@example.com', 'remove it there first');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({
      code: 'E_DECLARED_IN_CLUSTER_FILE',
      exitCode: 1,
      message: `mailbox demo@example.com is declared in ${FILE}:${lineOf('local_part: demo')}: remove it there first`,
    });
  });

  it('lets an undeclared item through', () => {
    expect(() => refuseIfDeclared(d, 'mailbox', 'cli@example.com', 'x')).not.toThrow();
  });
});
