import { describe, expect, it } from 'vitest';
import { aliasesAfterRemoval } from './mailbox-lifecycle.js';
import { sogoCacheKeysOf } from './sessions.js';

describe('aliasesAfterRemoval', () => {
  it('says which aliases lose the mailbox and which go with it', () => {
    const aliases = [
      { source: 'team@x.org', destination: 'a@x.org' },
      { source: 'team@x.org', destination: 'b@x.org' },
      { source: 'only@x.org', destination: 'a@x.org' },
      { source: 'other@x.org', destination: 'b@x.org' },
    ];
    expect(aliasesAfterRemoval('a@x.org', aliases)).toEqual([
      'alias team@x.org no longer delivers to it (still to b@x.org)',
      'alias only@x.org (it delivered only to a@x.org)',
    ]);
    expect(aliasesAfterRemoval('c@x.org', aliases)).toEqual([]);
  });
});

describe('sogoCacheKeysOf', () => {
  it("picks the user's own keys, not those of a longer address that starts alike", () => {
    const keys = ['a@x.org', 'a@x.org+defaults', 'a@x.org.uk', 'ba@x.org+settings', 'a@x.orgx'];
    expect(sogoCacheKeysOf('a@x.org', keys)).toEqual(['a@x.org', 'a@x.org+defaults']);
  });
});
