import { describe, expect, it } from 'vitest';
import { hostContextFromSpec, parseClusterFile } from './index.js';
import { clusterProblems as problems, minimalCluster } from '../../test/support/cluster-text.js';

const acmeCtx = (acme: string) =>
  hostContextFromSpec(parseClusterFile(minimalCluster(`tls:\n  mode: acme\n  acme:\n${acme}`), 't'))
    .tls.acme;

describe('tls in the cluster file', () => {
  it('resolves the Let’s Encrypt shorthands and keeps any https directory URL', () => {
    expect(acmeCtx('    directory: letsencrypt\n    email: hostmaster@example.com\n')).toEqual({
      directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
      email: 'hostmaster@example.com',
    });
    expect(acmeCtx('    directory: letsencrypt-staging\n    email: a@example.com\n')).toMatchObject(
      {
        directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      },
    );
    expect(
      acmeCtx(
        '    directory: https://acme.example.org:14000/dir\n    email: a@example.com\n    ca_file: /etc/mailctl/ca.pem\n',
      ),
    ).toEqual({
      directoryUrl: 'https://acme.example.org:14000/dir',
      email: 'a@example.com',
      caFile: '/etc/mailctl/ca.pem',
    });
  });

  it('has no ACME part in self-signed mode (the default)', () => {
    expect(hostContextFromSpec(parseClusterFile(minimalCluster(''), 't')).tls.acme).toBeUndefined();
    expect(
      hostContextFromSpec(parseClusterFile(minimalCluster('tls:\n  mode: self-signed\n'), 't')).tls
        .acme,
    ).toBeUndefined();
  });

  it('names the path of every bad ACME setting at once', () => {
    expect(
      problems(
        minimalCluster(
          'tls:\n  mode: acme\n  acme:\n    directory: http://acme.example.org/dir\n    email: nobody\n    ca_file: ca.pem\n',
        ),
      ),
    ).toEqual([
      'tls.acme.directory: must be letsencrypt, letsencrypt-staging, or the https:// URL of an ACME directory (line 11:16)',
      'tls.acme.email: must be a mail address (the CA writes to it about the account) (line 12:12)',
      'tls.acme.ca_file: must be an absolute path on the host (line 13:14)',
    ]);
    expect(problems(minimalCluster('tls:\n  mode: acme\n'))).toEqual([
      'tls.acme: mode acme needs an acme section with directory and email (line 9:3)',
    ]);
    expect(problems(minimalCluster('tls:\n  mode: letsencrypt\n'))).toEqual([
      "tls.mode: mode must be 'self-signed' or 'acme' (line 9:9)",
    ]);
    expect(
      problems(
        minimalCluster(
          'tls:\n  mode: self-signed\n  acme:\n    directory: letsencrypt\n    email: a@example.com\n',
        ),
      )[0],
    ).toMatch(/^tls: Unrecognized key: "acme"/);
    expect(
      problems(
        minimalCluster(
          'tls:\n  mode: acme\n  acme:\n    directory: letsencrypt\n    email: a@example.com\n    server: x\n',
        ),
      )[0],
    ).toMatch(/^tls\.acme: Unrecognized key: "server"/);
  });
});
