import { describe, expect, it } from 'vitest';
import { formatManifest, parseManifest } from './manifest.js';

describe('manifest', () => {
  it('reads back what it wrote, one sorted line per file', () => {
    const text = formatManifest([
      { path: '/etc/postfix/main.cf', component: 'postfix' },
      { path: '/etc/dovecot/dovecot.conf', component: 'dovecot' },
    ]);
    expect(text).toBe('/etc/dovecot/dovecot.conf\tdovecot\n/etc/postfix/main.cf\tpostfix\n');
    expect(parseManifest(text)).toEqual(
      new Map([
        ['/etc/dovecot/dovecot.conf', 'dovecot'],
        ['/etc/postfix/main.cf', 'postfix'],
      ]),
    );
  });

  it('ignores blank and malformed lines', () => {
    expect(parseManifest('\n/etc/a\n/etc/b\tb\n')).toEqual(new Map([['/etc/b', 'b']]));
  });
});
