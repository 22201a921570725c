import { describe, expect, it } from 'vitest';
import { aliasLoopThrough, formatAliasLoop, withAlias, type AliasGraph } from './alias-loops.js';

const graph = (aliases: Record<string, string[]>, mailboxes: string[] = []): AliasGraph => ({
  aliases: new Map(Object.entries(aliases)),
  mailboxes: new Set(mailboxes),
});

const loopAfter = (g: AliasGraph, source: string, destinations: string[]) =>
  aliasLoopThrough(withAlias(g, source, destinations), source);

describe('aliasLoopThrough', () => {
  it('finds the two-alias loop of the issue', () => {
    const g = graph({ 'loop1@example.com': ['loop2@example.com'] });
    expect(loopAfter(g, 'loop2@example.com', ['loop1@example.com'])).toEqual([
      'loop2@example.com',
      'loop1@example.com',
      'loop2@example.com',
    ]);
  });

  it('finds an alias to itself', () => {
    expect(loopAfter(graph({}), 'a@example.com', ['a@example.com'])).toEqual([
      'a@example.com',
      'a@example.com',
    ]);
  });

  it('finds a loop through a multi-destination alias and a longer chain', () => {
    const g = graph(
      {
        'team@example.com': ['demo@example.com', 'ops@example.com'],
        'ops@example.com': ['oncall@example.com'],
      },
      ['demo@example.com'],
    );
    expect(loopAfter(g, 'oncall@example.com', ['x@example.org', 'team@example.com'])).toEqual([
      'oncall@example.com',
      'team@example.com',
      'ops@example.com',
      'oncall@example.com',
    ]);
  });

  it('finds a loop through a catch-all, which takes every address that is neither', () => {
    const g = graph({ '@example.com': ['a@example.com'] }, ['demo@example.com']);
    // b@example.com is no alias and no mailbox: the catch-all takes it, back to a.
    expect(formatAliasLoop(loopAfter(g, 'a@example.com', ['b@example.com']) ?? [])).toBe(
      'a@example.com → b@example.com → @example.com → a@example.com',
    );
    // A mailbox is final, even with a catch-all in its domain.
    expect(loopAfter(g, 'a@example.com', ['demo@example.com'])).toBeUndefined();
  });

  it('accepts chains and shared destinations that end at mailboxes or elsewhere', () => {
    const g = graph(
      {
        'postmaster@example.com': ['demo@example.com'],
        'info@example.com': ['postmaster@example.com', 'demo@example.com'],
      },
      ['demo@example.com'],
    );
    expect(
      loopAfter(g, 'sales@example.com', ['info@example.com', 'x@example.org']),
    ).toBeUndefined();
    expect(loopAfter(g, 'info@example.com', ['other@example.org'])).toBeUndefined();
  });

  it('merges new destinations with those the alias already has', () => {
    const g = graph({ 'a@example.com': ['b@example.com'], 'c@example.com': ['a@example.com'] });
    expect(withAlias(g, 'a@example.com', ['d@example.com']).aliases.get('a@example.com')).toEqual([
      'b@example.com',
      'd@example.com',
    ]);
    expect(loopAfter(g, 'b@example.com', ['c@example.com'])).toEqual([
      'b@example.com',
      'c@example.com',
      'a@example.com',
      'b@example.com',
    ]);
  });
});
