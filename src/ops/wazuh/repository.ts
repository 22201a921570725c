import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  inReleaseUrl,
  openpgpFingerprint,
  WAZUH_KEY_FINGERPRINT,
  WAZUH_KEY_URL,
  WAZUH_KEYRING_PATH,
  WAZUH_SOURCES_PATH,
} from '../../render/wazuh/index.js';
import { run } from '../../util/exec.js';
import { UserError } from '../../util/errors.js';

/** How long apply waits for Wazuh's repository before it gives up. */
const TIMEOUT_MS = 15_000;

/** The first line of an error and of its causes: what fetch says, on one line. */
function reason(e: unknown): string {
  const parts: string[] = [];
  for (let c = e; c instanceof Error && parts.length < 3; c = c.cause)
    parts.push(c.message.split('\n')[0] ?? '');
  return parts.join(': ') || String(e);
}

async function get(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/**
 * Refuses (E_WAZUH_REPO_UNREACHABLE, exit 1) where the repository's signed index cannot be
 * fetched: apply checks this before it changes anything, so a host that cannot reach Wazuh
 * keeps its configuration exactly as it was.
 */
export async function checkWazuhRepository(repository: string): Promise<void> {
  try {
    await get(inReleaseUrl(repository));
  } catch (e) {
    throw new UserError(
      'E_WAZUH_REPO_UNREACHABLE',
      `the Wazuh apt repository ${repository} cannot be reached (${reason(e)}); apply changed nothing`,
      { cause: e, exitCode: 1 },
    );
  }
}

/** Whether the keyring apt trusts for the repository holds Wazuh's key. */
export function wazuhKeyInstalled(): boolean {
  return (
    existsSync(WAZUH_KEYRING_PATH) &&
    openpgpFingerprint(readFileSync(WAZUH_KEYRING_PATH, 'utf8')) === WAZUH_KEY_FINGERPRINT
  );
}

/**
 * Fetches Wazuh's signing key; only a key whose fingerprint is the one Wazuh documents is
 * returned (a wrong or tampered download is refused before anything is written).
 */
export async function fetchWazuhKey(): Promise<string> {
  let key: string;
  try {
    key = await get(WAZUH_KEY_URL);
  } catch (e) {
    throw new UserError(
      'E_WAZUH_KEY_UNREACHABLE',
      `Wazuh's signing key ${WAZUH_KEY_URL} cannot be fetched (${reason(e)}); apply changed nothing`,
      { cause: e, exitCode: 1 },
    );
  }
  const fingerprint = openpgpFingerprint(key);
  if (fingerprint !== WAZUH_KEY_FINGERPRINT)
    throw new UserError(
      'E_WAZUH_KEY_MISMATCH',
      `${WAZUH_KEY_URL} is not Wazuh's signing key (fingerprint ${fingerprint ?? 'none'}, expected ${WAZUH_KEY_FINGERPRINT}); apply changed nothing`,
      { exitCode: 1 },
    );
  return key;
}

/** Installs the signing key where the rendered source's Signed-By names it. */
export async function installWazuhKey(key: string): Promise<void> {
  await mkdir(join(WAZUH_KEYRING_PATH, '..'), { recursive: true, mode: 0o755 });
  await writeFile(WAZUH_KEYRING_PATH, key, { mode: 0o644 });
}

/**
 * Fetches the repository's package lists and nothing else's (the Debian mirrors' lists stay
 * as they are): apt reads only a directory holding a copy of Wazuh's source.
 */
export async function updateWazuhLists(sources: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mailctl-apt-'));
  try {
    await writeFile(join(dir, 'wazuh.sources'), sources);
    const r = await run(
      'apt-get',
      [
        'update',
        '-q',
        '-o',
        'Dir::Etc::SourceList=/dev/null',
        '-o',
        `Dir::Etc::SourceParts=${dir}`,
        '-o',
        'APT::Get::List-Cleanup=0',
      ],
      { timeoutMs: 5 * 60_000 },
    );
    if (r.code !== 0)
      throw new UserError(
        'E_WAZUH_REPO_FAILED',
        `apt-get update of ${WAZUH_SOURCES_PATH} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`,
        { exitCode: 1 },
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
