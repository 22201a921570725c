import { UserError } from '../util/errors.js';

/** The archives this machine's apt already uses; the lab's root is built from the same ones. */
export interface ArchiveUris {
  /** Debian's main archive (serves trixie and trixie-updates). */
  main: string;
  /** Debian's security archive (serves trixie-security), if the machine has one configured. */
  security?: string;
}

interface SourceEntry {
  uri: string;
  suites: string[];
}

/** Parses deb822 `.sources` stanzas and one-line `sources.list` entries (pure). */
export function parseAptSources(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  const isDeb822 = /^\s*(Types|URIs|Suites)\s*:/im.test(text);
  if (isDeb822) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const fields = new Map<string, string>();
      for (const line of stanza.split('\n')) {
        const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
        if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
      }
      const types = (fields.get('types') ?? '').split(/\s+/);
      if (!types.includes('deb') || fields.get('enabled') === 'no') continue;
      const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
      for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
        entries.push({ uri, suites });
      }
    }
  } else {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      // deb [options] uri suite components...
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) entries.push({ uri: m[1], suites: [m[2]] });
    }
  }
  return entries;
}

/** Picks the main and security archive URIs out of all configured sources (pure). */
export function archiveUrisFrom(entries: readonly SourceEntry[]): ArchiveUris {
  const isSecurity = (e: SourceEntry) => e.suites.some((s) => s.endsWith('-security'));
  const main = entries.find((e) => !isSecurity(e) && !e.uri.startsWith('file:'));
  if (!main) {
    throw new UserError(
      'E_APT_SOURCES',
      "no Debian archive found in this machine's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/)",
    );
  }
  const security = entries.find(isSecurity);
  const trim = (u: string) => u.replace(/\/+$/, '');
  return security
    ? { main: trim(main.uri), security: trim(security.uri) }
    : { main: trim(main.uri) };
}

/** The lab root's own apt sources for Debian 13, in deb822 form (pure). */
export function trixieSources(uris: ArchiveUris): string {
  const stanzas = [
    `Types: deb\nURIs: ${uris.main}\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  ];
  if (uris.security) {
    stanzas.push(
      `Types: deb\nURIs: ${uris.security}\nSuites: trixie-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    );
  }
  return stanzas.join('\n');
}
