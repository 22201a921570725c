import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../render/types.js';
import type { DesiredState } from './desired-state.js';
import { rollbackDesiredState } from './rollback.js';

const file = (path: string, content: string, component = 'postfix'): RenderedFile => ({
  path,
  content,
  mode: 0o644,
  owner: 'root',
  group: 'root',
  component,
});

const current: DesiredState = {
  packages: ['postfix'],
  users: [],
  directories: [],
  permissions: [],
  files: [file('/etc/postfix/main.cf', 'new\n'), file('/etc/postfix/new-map.cf', 'map\n')],
  components: [],
};

describe('rollbackDesiredState', () => {
  it("takes each file's content from the revision and everything else from today", () => {
    const { desired, unknownAtRevision } = rollbackDesiredState(
      current,
      new Map([
        ['/etc/postfix/main.cf', 'old\n'],
        ['/etc/gone.conf', 'was managed once\n'],
      ]),
    );
    expect(desired.files).toEqual([
      file('/etc/postfix/main.cf', 'old\n'),
      file('/etc/postfix/new-map.cf', 'map\n'),
    ]);
    expect(desired.packages).toBe(current.packages);
    expect(unknownAtRevision).toEqual(['/etc/postfix/new-map.cf']);
  });

  it('keeps secret tokens as tokens, for apply to resolve on the host', () => {
    const { desired } = rollbackDesiredState(
      current,
      new Map([['/etc/postfix/main.cf', 'password = @@secret:db@@\n']]),
    );
    expect(desired.files[0]?.content).toBe('password = @@secret:db@@\n');
  });

  it("removes what the revision's manifest did not list, and restores the rest", () => {
    const { desired, unknownAtRevision, removedAtRevision } = rollbackDesiredState(
      current,
      new Map([['/etc/postfix/main.cf', 'old\n']]),
      new Map([['/etc/postfix/main.cf', 'postfix']]),
    );
    expect(desired.files).toEqual([file('/etc/postfix/main.cf', 'old\n')]);
    expect(removedAtRevision).toEqual(['/etc/postfix/new-map.cf']);
    expect(unknownAtRevision).toEqual([]);
  });
});
