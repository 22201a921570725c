import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ValidationError, type Issue } from '../util/errors.js';
import { crossFieldIssues } from './rules.js';
import { clusterSchema, type Spec } from './schema.js';

/** `domains[1].name` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function parsePath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''),
  );
}

/**
 * The line and column (1-based) of the deepest node of the document that the path reaches,
 * or of the document itself when not even the first key is there.
 */
export function nodePosition(
  doc: Document,
  lines: LineCounter,
  path: string,
): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let range: [number, number, number] | undefined;
  for (const key of parsePath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else break;
    range = (node as { range?: [number, number, number] } | undefined)?.range ?? range;
  }
  range ??= (doc.contents as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]) : undefined;
}

function locate(doc: Document, lines: LineCounter, path: string): string {
  const pos = nodePosition(doc, lines, path);
  return pos ? ` (line ${pos.line}:${pos.col})` : '';
}

/**
 * Parses and validates a cluster file (pure). Every problem is reported at once, each with
 * its path and, where the file shows it, its line; nothing is applied from an invalid file.
 */
export function parseClusterFile(text: string, source: string): Spec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const issues: Issue[] = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { path: '(yaml)', message: `${e.message.split('\n')[0]} (line ${line}:${col})` };
    });
    throw new ValidationError('E_SPEC_INVALID', source, issues);
  }
  const result = clusterSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const path = formatPath(i.path);
      return { path, message: `${i.message}${locate(doc, lines, path)}` };
    });
    throw new ValidationError('E_SPEC_INVALID', source, issues);
  }
  const cross = crossFieldIssues(result.data).map((i) => ({
    ...i,
    message: `${i.message}${locate(doc, lines, i.path)}`,
  }));
  if (cross.length) throw new ValidationError('E_SPEC_INVALID', source, cross);
  return result.data;
}
