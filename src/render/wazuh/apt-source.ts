import { createHash } from 'node:crypto';
import { generatedHeader } from '../types.js';

/** Wazuh's apt repository for the 4.x agents; `monitoring.wazuh.repository` may name a mirror. */
export const WAZUH_REPOSITORY = 'https://packages.wazuh.com/4.x/apt/';
export const WAZUH_SUITE = 'stable';
export const WAZUH_PACKAGE = 'wazuh-agent';

export const WAZUH_SOURCES_PATH = '/etc/apt/sources.list.d/wazuh.sources';
export const WAZUH_PREFERENCES_PATH = '/etc/apt/preferences.d/wazuh.pref';
export const WAZUH_KEYRING_PATH = '/etc/apt/keyrings/wazuh.asc';
/** Where Wazuh publishes its signing key. */
export const WAZUH_KEY_URL = 'https://packages.wazuh.com/key/GPG-KEY-WAZUH';
/**
 * The fingerprint of "Wazuh.com (Wazuh Signing Key) <support@wazuh.com>", as Wazuh's
 * documentation gives it for verifying its packages. The key fetched from WAZUH_KEY_URL is
 * installed only if its primary key has exactly this fingerprint.
 */
export const WAZUH_KEY_FINGERPRINT = '0DCFCA5547B19D2A6099506096B3EE5F29111145';

/** The URL apt fetches the suite's signed index from: reachable means apt can use the repository. */
export function inReleaseUrl(repository: string): string {
  return new URL(`dists/${WAZUH_SUITE}/InRelease`, repository).href;
}

/** apt's deb822 source for the repository, trusting only Wazuh's key for it (pure). */
export function renderWazuhSources(repository: string): string {
  return `${generatedHeader()}Types: deb
URIs: ${repository}
Suites: ${WAZUH_SUITE}
Components: main
Signed-By: ${WAZUH_KEYRING_PATH}
`;
}

/**
 * apt pinning: from Wazuh's repository apt takes the agent and nothing else (priority -1
 * never installs a package), so a package there that Debian also has never replaces
 * Debian's. The agent itself is not upgraded by unattended-upgrades either (its origin is
 * not in the allowed list): an agent newer than its manager cannot connect.
 */
export function renderWazuhPreferences(repository: string): string {
  const host = new URL(repository).hostname;
  return `${generatedHeader()}Package: *
Pin: origin ${host}
Pin-Priority: -1

Package: ${WAZUH_PACKAGE}
Pin: origin ${host}
Pin-Priority: 500
`;
}

/**
 * The v4 fingerprint of the primary key of an ASCII-armored OpenPGP public key (RFC 4880
 * 12.2: SHA-1 over 0x99, the two-byte length and the public-key packet's body), or
 * undefined where the text holds no such key.
 */
export function openpgpFingerprint(armored: string): string | undefined {
  const body = armored
    .replace(/\r/g, '')
    .match(
      /-----BEGIN PGP PUBLIC KEY BLOCK-----\n(?:[^\n]+\n)*?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/,
    )?.[1];
  if (!body) return undefined;
  // The base64 lines, without the CRC-24 checksum line (=XXXX).
  const data = Buffer.from(
    body
      .split('\n')
      .filter((l) => l && !l.startsWith('='))
      .join(''),
    'base64',
  );
  const header = data[0] ?? 0;
  if ((header & 0x80) === 0) return undefined;
  let tag: number;
  let length: number;
  let offset: number;
  if (header & 0x40) {
    // New packet format: tag in the low 6 bits, then a one, two or five octet length.
    tag = header & 0x3f;
    const first = data[1] ?? 0;
    if (first < 192) [length, offset] = [first, 2];
    else if (first < 224) [length, offset] = [((first - 192) << 8) + (data[2] ?? 0) + 192, 3];
    else if (first === 255) [length, offset] = [data.readUInt32BE(2), 6];
    else return undefined;
  } else {
    // Old format: tag in bits 5..2, the length's size in bits 1..0.
    tag = (header >> 2) & 0x0f;
    const size = [1, 2, 4][header & 0x03];
    if (!size) return undefined;
    length = size === 1 ? (data[1] ?? 0) : size === 2 ? data.readUInt16BE(1) : data.readUInt32BE(1);
    offset = 1 + size;
  }
  const packet = data.subarray(offset, offset + length);
  // Tag 6 is a public key; only version 4 keys have this kind of fingerprint.
  if (tag !== 6 || packet.length !== length || packet[0] !== 4) return undefined;
  const prefix = Buffer.from([0x99, (length >> 8) & 0xff, length & 0xff]);
  return createHash('sha1').update(prefix).update(packet).digest('hex').toUpperCase();
}
