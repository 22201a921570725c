import { describe, expect, it } from 'vitest';
import { renderUserSettings, type UserSpamSettings } from './user-settings.js';

const none: Omit<UserSpamSettings, 'address'> = {
  aliases: [],
  rejectScore: null,
  addHeaderScore: null,
  greylistScore: null,
  allowSenders: [],
  blockSenders: [],
};

const users: UserSpamSettings[] = [
  {
    ...none,
    address: 'zed@example.net',
    rejectScore: 8,
    addHeaderScore: 5.5,
  },
  {
    ...none,
    address: 'alice@example.com',
    aliases: ['info@example.com', 'a@example.com'],
    greylistScore: 3,
    allowSenders: ['friend@example.org'],
    blockSenders: ['@spam.example', 'bad@example.org'],
  },
  { ...none, address: 'empty@example.com' },
];

describe('renderUserSettings', () => {
  it('renders one rule per mailbox and kind, as in the golden file (refresh: npm run golden:update)', async () => {
    await expect(renderUserSettings(users)).toMatchFileSnapshot('golden/user-settings.conf');
  });

  it('is the same whatever order the rows come in', () => {
    expect(renderUserSettings([...users].reverse())).toBe(renderUserSettings(users));
  });

  it('ranks block over allow over thresholds, so a blocked sender is never let through', () => {
    const out = renderUserSettings(users);
    const pri = (rule: string) =>
      Number(new RegExp(`"${rule}" \\{\\n  priority = (\\d)`).exec(out)?.[1]);
    expect(pri('alice@example.com block')).toBeGreaterThan(pri('alice@example.com allow'));
    expect(pri('alice@example.com allow')).toBeGreaterThan(pri('zed@example.net thresholds'));
  });

  it('writes no rule for a mailbox without settings, and an empty map for none', () => {
    expect(renderUserSettings(users)).not.toContain('empty@example.com');
    expect(
      renderUserSettings([])
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toEqual([]);
  });

  it('quotes what UCL would otherwise read as syntax', () => {
    expect(
      renderUserSettings([{ ...none, address: 'a"b\\c@x.example', rejectScore: 1 }]),
    ).toContain('rcpt = ["a\\"b\\\\c@x.example"];');
  });
});
