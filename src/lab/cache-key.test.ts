import { describe, expect, it } from 'vitest';
import { checkerRootKey, rootfsKey, type RootfsInputs } from './cache-key.js';

const inputs: RootfsInputs = {
  suite: 'trixie',
  uris: { main: 'http://a.test/debian' },
  base: ['systemd', 'dbus'],
  prefetch: ['postfix'],
};

describe('rootfsKey', () => {
  it('is stable and ignores list order', () => {
    expect(rootfsKey(inputs)).toBe(rootfsKey({ ...inputs, base: ['dbus', 'systemd'] }));
    expect(rootfsKey(inputs)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with every input that goes into the root', () => {
    const key = rootfsKey(inputs);
    expect(rootfsKey({ ...inputs, suite: 'forky' })).not.toBe(key);
    expect(rootfsKey({ ...inputs, uris: { main: 'http://b.test/debian' } })).not.toBe(key);
    expect(rootfsKey({ ...inputs, uris: { ...inputs.uris, security: 'http://s.test' } })).not.toBe(
      key,
    );
    expect(rootfsKey({ ...inputs, base: [...inputs.base, 'git'] })).not.toBe(key);
    expect(rootfsKey({ ...inputs, prefetch: [...inputs.prefetch, 'dovecot-core'] })).not.toBe(key);
  });
});

describe('checkerRootKey', () => {
  const checker = { rootfsKey: rootfsKey(inputs), packages: ['postfix', 'nginx'] };

  it('is stable and ignores list order', () => {
    expect(checkerRootKey(checker)).toBe(
      checkerRootKey({ ...checker, packages: ['nginx', 'postfix'] }),
    );
    expect(checkerRootKey(checker)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the lab root it copies and with what is installed into it', () => {
    const key = checkerRootKey(checker);
    expect(
      checkerRootKey({ ...checker, rootfsKey: rootfsKey({ ...inputs, suite: 'forky' }) }),
    ).not.toBe(key);
    expect(checkerRootKey({ ...checker, packages: [...checker.packages, 'rspamd'] })).not.toBe(key);
  });
});
