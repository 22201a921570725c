import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WireguardPeer } from '../../render/wireguard/index.js';
import { UserError } from '../../util/errors.js';

/**
 * VPN peers added on the host with `mailctl vpn peer add`, one JSON file each, kept beside
 * the cluster file's peers: a phone joining the VPN should not need a commit to the
 * cluster file. Only public keys live here.
 */
export const VPN_PEER_REGISTRY_DIR = '/etc/mailctl/vpn-peers';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function validatePeerName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UserError(
      'E_VPN_PEER_NAME',
      `peer name '${name}' is invalid: use lower-case letters, digits and '-'`,
    );
  }
  return name;
}

export async function readRegisteredPeers(root = '/'): Promise<WireguardPeer[]> {
  const dir = join(root, VPN_PEER_REGISTRY_DIR);
  if (!existsSync(dir)) return [];
  const peers: WireguardPeer[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const raw = JSON.parse(await readFile(join(dir, f), 'utf8')) as Partial<WireguardPeer>;
    if (
      typeof raw.name !== 'string' ||
      typeof raw.publicKey !== 'string' ||
      typeof raw.address !== 'string'
    ) {
      throw new UserError('E_VPN_PEER_FILE', `${join(dir, f)}: needs name, publicKey and address`);
    }
    peers.push({ name: raw.name, publicKey: raw.publicKey, address: raw.address });
  }
  return peers;
}

export async function registerPeer(peer: WireguardPeer, root = '/'): Promise<void> {
  const dir = join(root, VPN_PEER_REGISTRY_DIR);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${validatePeerName(peer.name)}.json`);
  try {
    await writeFile(file, `${JSON.stringify(peer, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(
        'E_VPN_PEER_EXISTS',
        `a VPN peer named '${peer.name}' already exists (${file})`,
      );
    }
    throw e;
  }
}
