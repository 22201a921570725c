/**
 * The managed files of an apply, recorded in its history commit: the next apply removes a
 * file that is in it but no longer rendered, and a rollback knows which files existed at
 * the revision it goes back to. One `path<TAB>component` line per file, sorted (pure).
 */
export function formatManifest(files: readonly { path: string; component: string }[]): string {
  return [...files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => `${f.path}\t${f.component}\n`)
    .join('');
}

/** Path → component, from a manifest's text (pure). */
export function parseManifest(text: string): Map<string, string> {
  const managed = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [path, component] = line.split('\t');
    if (path && component) managed.set(path, component);
  }
  return managed;
}
