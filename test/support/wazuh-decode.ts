/**
 * Decodes log lines the way a Wazuh manager applies mailctl's decoders (the parent whose
 * program name or prematch matches, then its first child whose prematch matches, then that
 * child's regex for the fields), with every expression run by pcre2grep. It models only
 * what these decoders use: no offsets, no sibling decoders.
 */
import type { WazuhDecoder } from '../../src/render/wazuh/decoders.js';
import { pcre2Match } from './pcre2.js';

/** One log entry as Wazuh sees it: the program name (from the journal) and the message. */
export interface LogEntry {
  /** SYSLOG_IDENTIFIER for a journal entry; absent for a line of a log file. */
  program?: string;
  message: string;
}

export interface Decoded {
  decoder: string;
  /** The fields the regex captured, by the names in `order`; empty captures left out. */
  fields: Record<string, string>;
  /** The children of the parent whose prematch matched (exactly one for a good set). */
  candidates: string[];
  /** Whether the chosen child's regex matched at all. */
  regexMatched: boolean;
}

/** Decodes every entry; undefined where no parent claims it. */
export function decodeEntries(
  decoders: readonly WazuhDecoder[],
  entries: readonly LogEntry[],
): (Decoded | undefined)[] {
  const messages = entries.map((e) => e.message);
  const programs = entries.map((e) => e.program ?? '');
  const cache = new Map<string, (string[] | undefined)[]>();
  const run = (regex: string, lines: readonly string[], groups = 0) => {
    const key = `${groups}\n${lines === programs ? 'p' : 'm'}\n${regex}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = pcre2Match(regex, lines, groups);
      cache.set(key, hit);
    }
    return hit;
  };
  const parents = decoders.filter((d) => !d.parent);
  return entries.map((entry, i) => {
    const parent = parents.find(
      (p) =>
        (!p.programName || (entry.program !== undefined && run(p.programName, programs)[i])) &&
        (!p.prematch || run(p.prematch, messages)[i]),
    );
    if (!parent) return undefined;
    const children = decoders.filter((d) => d.parent === parent.name);
    const candidates = children.filter((c) => c.prematch && run(c.prematch, messages)[i]);
    const child = candidates[0];
    if (!child) return { decoder: parent.name, fields: {}, candidates: [], regexMatched: false };
    const order = child.order ?? [];
    const groups = child.regex ? run(child.regex, messages, order.length)[i] : undefined;
    const fields: Record<string, string> = {};
    order.forEach((name, g) => {
      const v = groups?.[g];
      if (v) fields[name] = v;
    });
    return {
      decoder: child.name,
      fields,
      candidates: candidates.map((c) => c.name),
      regexMatched: groups !== undefined,
    };
  });
}
