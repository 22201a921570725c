import { describe, expect, it } from 'vitest';
import { archiveUrisFrom, parseAptSources, trixieSources } from './apt-sources.js';

const DEB822 = `Types: deb
# a comment
URIs: http://archive.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://archive.test/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.test/debian
Suites: bookworm
Components: main
`;

describe('apt sources', () => {
  it('finds the main and security archives in deb822 stanzas', () => {
    expect(archiveUrisFrom(parseAptSources(DEB822))).toEqual({
      main: 'http://archive.test/debian',
      security: 'http://archive.test/debian-security',
    });
  });

  it('reads one-line sources.list entries, with options, ignoring comments', () => {
    const text =
      '# deb http://old.test/debian buster main\ndeb [arch=amd64] http://mirror.test/debian/ bookworm main\n';
    expect(archiveUrisFrom(parseAptSources(text))).toEqual({ main: 'http://mirror.test/debian' });
  });

  it('refuses a machine without any Debian archive', () => {
    expect(() =>
      archiveUrisFrom(parseAptSources('Types: deb-src\nURIs: http://x.test\nSuites: bookworm\n')),
    ).toThrow(/no Debian archive/);
  });

  it('writes trixie, trixie-updates and trixie-security for the lab root', () => {
    const text = trixieSources({
      main: 'http://a.test/debian',
      security: 'http://a.test/debian-security',
    });
    expect(text).toContain('URIs: http://a.test/debian\nSuites: trixie trixie-updates\n');
    expect(text).toContain('URIs: http://a.test/debian-security\nSuites: trixie-security\n');
    expect(trixieSources({ main: 'http://a.test/debian' })).not.toContain('security');
  });
});
