import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../util/errors.js';
import { nodePosition, parseClusterFile } from './parse.js';
import type { Spec } from './schema.js';

/**
 * What the cluster file declares, and where. The cluster file is authoritative for what it
 * declares (a domain, a mailbox's existence and quota, an alias's exact destinations, a VPN
 * peer); whatever the CLI made is the CLI's. The CLI uses this to refuse changing a declared
 * item, naming the line to edit instead; apply uses it to converge exactly these items.
 */
export interface DeclaredDomain {
  name: string;
  line: number;
}
export interface DeclaredMailbox {
  address: string;
  /** Its own quota, or mail.default_quota: either way the file decides it. */
  quotaBytes: number;
  line: number;
}
export interface DeclaredAlias {
  source: string;
  destinations: readonly string[];
  line: number;
}
/** A send-as grant: `login` may use `address` (or any address of `@domain`) as sender. */
export interface DeclaredSendAs {
  login: string;
  address: string;
  line: number;
}
export interface DeclaredVpnPeer {
  name: string;
  publicKey: string;
  address: string;
  line: number;
}

export interface ClusterDeclarations {
  /** The cluster file's path, as the messages name it. */
  file: string;
  domains: readonly DeclaredDomain[];
  mailboxes: readonly DeclaredMailbox[];
  aliases: readonly DeclaredAlias[];
  sendAs: readonly DeclaredSendAs[];
  vpnPeers: readonly DeclaredVpnPeer[];
}

export type DeclaredKind = 'domain' | 'mailbox' | 'alias' | 'vpn-peer';

/**
 * Parses and validates the cluster file (pure; an invalid file is refused as by `mailctl
 * validate`) and lists what it declares, each with the line of its name.
 */
export function clusterDeclarations(text: string, file: string): ClusterDeclarations {
  const spec: Spec = parseClusterFile(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const line = (path: string) => nodePosition(doc, lines, path)?.line ?? 0;
  return {
    file,
    domains: spec.domains.map((d, i) => ({ name: d.name, line: line(`domains[${i}].name`) })),
    mailboxes: spec.domains.flatMap((d, i) =>
      d.mailboxes.map((m, j) => ({
        address: `${m.local_part}@${d.name}`,
        quotaBytes: m.quota ?? spec.mail.default_quota,
        line: line(`domains[${i}].mailboxes[${j}].local_part`),
      })),
    ),
    aliases: spec.domains.flatMap((d, i) =>
      d.aliases.map((a, j) => ({
        source: a.source,
        destinations: a.destinations,
        line: line(`domains[${i}].aliases[${j}].source`),
      })),
    ),
    sendAs: spec.domains.flatMap((d, i) =>
      d.mailboxes.flatMap((m, j) =>
        (m.send_as ?? []).map((address, k) => ({
          login: `${m.local_part}@${d.name}`,
          address,
          line: line(`domains[${i}].mailboxes[${j}].send_as[${k}]`),
        })),
      ),
    ),
    vpnPeers: spec.vpn.peers.map((p, i) => ({
      name: p.name,
      publicKey: p.public_key,
      address: p.address,
      line: line(`vpn.peers[${i}].name`),
    })),
  };
}

/** Where the file declares the item (a domain, address, alias source or peer name), if it does. */
export function findDeclaration(
  declared: ClusterDeclarations,
  kind: DeclaredKind,
  name: string,
): { file: string; line: number } | undefined {
  const key = name.trim().toLowerCase();
  const hit =
    kind === 'domain'
      ? declared.domains.find((d) => d.name === key)
      : kind === 'mailbox'
        ? declared.mailboxes.find((m) => m.address === key)
        : kind === 'alias'
          ? declared.aliases.find((a) => a.source === key)
          : declared.vpnPeers.find((p) => p.name === key);
  return hit && { file: declared.file, line: hit.line };
}

const LABEL: Record<DeclaredKind, string> = {
  domain: 'domain',
  mailbox: 'mailbox',
  alias: 'alias',
  'vpn-peer': 'VPN peer',
};

/**
 * Refuses (E_DECLARED_IN_CLUSTER_FILE, exit 1) to change an item the cluster file declares,
 * naming the file and line, and `todo`: what to do there instead, e.g. "remove it there,
 * then run 'mailctl mailbox remove demo@example.com'".
 */
export function refuseIfDeclared(
  declared: ClusterDeclarations,
  kind: DeclaredKind,
  name: string,
  todo: string,
): void {
  const at = findDeclaration(declared, kind, name);
  if (!at) return;
  throw new UserError(
    'E_DECLARED_IN_CLUSTER_FILE',
    `${LABEL[kind]} ${name.trim().toLowerCase()} is declared in ${at.file}:${at.line}: ${todo}`,
    { exitCode: 1 },
  );
}
