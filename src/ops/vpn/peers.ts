import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VPN_INTERFACE, type WireguardPeer } from '../../render/wireguard/index.js';
import type { Spec } from '../../spec/index.js';
import { mustRun, run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';
import { readRegisteredPeers, validatePeerName, VPN_PEER_REGISTRY_DIR } from './peer-registry.js';

/** A VPN member as `mailctl vpn peer list` shows it. */
export interface PeerStatus extends WireguardPeer {
  /** Who owns it: the cluster file, or the CLI (`mailctl vpn peer add`). */
  owner: 'cluster-file' | 'cli';
  /** Its latest handshake with wg0 (ISO time), or null when it never completed one. */
  latestHandshake: string | null;
}

export function clusterPeers(spec: Spec): WireguardPeer[] {
  return spec.vpn.peers.map((p) => ({ name: p.name, publicKey: p.public_key, address: p.address }));
}

/** Every peer wg0 should have: the cluster file's first, then the CLI's, as apply renders them. */
export async function allPeers(spec: Spec, root = '/'): Promise<WireguardPeer[]> {
  return [...clusterPeers(spec), ...(await readRegisteredPeers(root))];
}

/**
 * `wg show wg0 latest-handshakes`, parsed (pure): public key → seconds since the epoch; 0
 * (never) is left out.
 */
export function parseLatestHandshakes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, seconds] = line.trim().split('\t');
    if (key && Number(seconds) > 0) out.set(key, Number(seconds));
  }
  return out;
}

export async function peerStatus(spec: Spec): Promise<PeerStatus[]> {
  const shown = await run('wg', ['show', VPN_INTERFACE, 'latest-handshakes']);
  // No wg0 (the tunnel is down, or apply never ran): no handshakes, the peers still listed.
  const handshakes = parseLatestHandshakes(shown.code === 0 ? shown.stdout : '');
  const declared = new Set(spec.vpn.peers.map((p) => p.name));
  return (await allPeers(spec)).map((p) => {
    const at = handshakes.get(p.publicKey);
    return {
      ...p,
      owner: declared.has(p.name) ? 'cluster-file' : 'cli',
      latestHandshake: at === undefined ? null : new Date(at * 1000).toISOString(),
    };
  });
}

/**
 * Takes a peer the CLI added out of wg0 at once (`wg set wg0 peer KEY remove`: the other
 * peers' sessions go on) and out of the registry, so that no later render brings it back.
 * Returns the removed peer.
 */
export async function removeRegisteredPeer(name: string, root = '/'): Promise<WireguardPeer> {
  const peer = (await readRegisteredPeers(root)).find((p) => p.name === validatePeerName(name));
  if (!peer)
    throw new UserError('E_UNKNOWN_VPN_PEER', `there is no VPN peer named '${name}'`, {
      exitCode: 1,
    });
  await rm(join(root, VPN_PEER_REGISTRY_DIR, `${peer.name}.json`));
  if (await wgUp()) await mustRun('wg', ['set', VPN_INTERFACE, 'peer', peer.publicKey, 'remove']);
  return peer;
}

async function wgUp(): Promise<boolean> {
  return (await run('wg', ['show', VPN_INTERFACE, 'peers'])).code === 0;
}
