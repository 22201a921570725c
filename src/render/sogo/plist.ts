/**
 * SOGo reads /etc/sogo/sogo.conf as a GNUstep (OpenStep) property list: dictionaries
 * `{ key = value; }`, arrays `( a, b )`, quoted strings, and the bare words YES/NO that
 * NSUserDefaults reads as booleans. Every string is written quoted and escaped, so no
 * value from the cluster file can end a string or add a key.
 */
export type PlistValue = string | number | boolean | readonly PlistValue[] | PlistDict;

/** An ordered dictionary; `comment` lines go above the key as `//` comments. */
export interface PlistDict {
  readonly entries: readonly PlistEntry[];
}

export interface PlistEntry {
  key: string;
  value: PlistValue;
  comment?: readonly string[];
}

const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A dictionary from [key, value, comment lines] tuples, keeping their order. */
export function dict(...entries: readonly [string, PlistValue, (readonly string[])?][]): PlistDict {
  return { entries: entries.map(([key, value, comment]) => ({ key, value, comment })) };
}

function quote(s: string): string {
  // Control characters have no business in a configuration value: refuse rather than escape.
  if ([...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new Error(`control character in plist string ${JSON.stringify(s)}`);
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function isDict(v: PlistValue): v is PlistDict {
  return typeof v === 'object' && !Array.isArray(v) && 'entries' in v;
}

function value(v: PlistValue, indent: string): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'boolean') return v ? 'YES' : 'NO';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  }
  if (isDict(v)) return dictBody(v, indent);
  const inner = `${indent}  `;
  const list = v as readonly PlistValue[];
  if (list.length === 0) return '()';
  return `(\n${list.map((item) => `${inner}${value(item, inner)}`).join(',\n')}\n${indent})`;
}

function dictBody(d: PlistDict, indent: string): string {
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const e of d.entries) {
    if (!KEY.test(e.key)) throw new Error(`not a plist key: ${JSON.stringify(e.key)}`);
    for (const c of e.comment ?? []) lines.push(`${inner}// ${c}`);
    lines.push(`${inner}${e.key} = ${value(e.value, inner)};`);
  }
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The whole file: `header` as `//` comment lines, then the root dictionary. */
export function formatPlist(root: PlistDict, header: readonly string[] = []): string {
  return `${header.map((h) => `// ${h}\n`).join('')}${dictBody(root, '')}\n`;
}
