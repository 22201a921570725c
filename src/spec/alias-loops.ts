/**
 * Alias loops (pure). Postfix expands virtual aliases recursively (virtual_alias_maps, up to
 * virtual_alias_recursion_limit); an alias that leads back to itself makes every message to
 * it fail with "451 4.6.0 Alias expansion error" for ever, so no command may create one.
 *
 * An address expands to its alias's destinations; a mailbox is final; any other address of
 * a domain with a catch-all (`@domain`) expands to the catch-all's destinations, since
 * Postfix looks up user@domain first and @domain after it.
 */
export interface AliasGraph {
  /** Every alias: its source and all its destinations. */
  aliases: ReadonlyMap<string, readonly string[]>;
  mailboxes: ReadonlySet<string>;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function next(graph: AliasGraph, address: string): readonly string[] {
  const own = graph.aliases.get(address);
  if (own) return own;
  if (address.startsWith('@') || graph.mailboxes.has(address)) return [];
  // Not an alias, not a mailbox: the catch-all, which we follow as one node.
  const catchAll = `@${domainOf(address)}`;
  return graph.aliases.has(catchAll) ? [catchAll] : [];
}

/** The graph with `destinations` added to the alias `source` (created if new). */
export function withAlias(
  graph: AliasGraph,
  source: string,
  destinations: readonly string[],
): AliasGraph {
  const aliases = new Map(graph.aliases);
  aliases.set(source, [...new Set([...(aliases.get(source) ?? []), ...destinations])]);
  return { aliases, mailboxes: graph.mailboxes };
}

/**
 * A loop through `source`, as the addresses it passes (first and last are `source`), or
 * undefined when there is none. Any loop a change to the alias `source` creates passes
 * through it, so checking from it alone is enough.
 */
export function aliasLoopThrough(graph: AliasGraph, source: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (address: string, path: string[]): string[] | undefined => {
    for (const to of next(graph, address)) {
      if (to === source) return [...path, to];
      if (seen.has(to)) continue;
      seen.add(to);
      const found = walk(to, [...path, to]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(source, [source]);
}

/** A loop as people read it: a → b → a. */
export function formatAliasLoop(loop: readonly string[]): string {
  return loop.join(' → ');
}
