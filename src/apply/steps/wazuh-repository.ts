import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  checkWazuhRepository,
  fetchWazuhKey,
  installWazuhKey,
  updateWazuhLists,
  wazuhKeyInstalled,
} from '../../ops/wazuh/repository.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import type { WazuhContext } from '../../render/wazuh/index.js';
import {
  WAZUH_KEY_FINGERPRINT,
  WAZUH_KEY_URL,
  WAZUH_KEYRING_PATH,
  WAZUH_PACKAGE,
} from '../../render/wazuh/index.js';
import { renderWazuh } from '../../render/wazuh/index.js';
import { run } from '../../util/exec.js';

async function agentInstalled(): Promise<boolean> {
  const r = await run('dpkg-query', ['-W', '-f=${Status}', WAZUH_PACKAGE]);
  return r.code === 0 && r.stdout.includes('install ok installed');
}

/**
 * Wazuh's apt repository, before any package is installed: apt must know it for
 * `wazuh-agent`. Apply first makes sure the repository answers, so that a host that
 * cannot reach it is refused with nothing changed; then Wazuh's signing key (checked
 * against its fingerprint), the source and its pin, and the repository's package lists.
 */
export function wazuhRepositoryStep(w: WazuhContext | undefined): HostStep {
  return {
    name: 'wazuh-repository',
    phase: 'before-packages',
    async observe() {
      if (!w) return [];
      const changes: HostChange[] = [];
      if (!wazuhKeyInstalled())
        changes.push({
          kind: 'file',
          action: 'create',
          target: WAZUH_KEYRING_PATH,
          detail: `Wazuh's signing key ${WAZUH_KEY_FINGERPRINT}, from ${WAZUH_KEY_URL}`,
        });
      if (!(await agentInstalled()))
        changes.push({
          kind: 'repository',
          action: 'run',
          target: w.repository,
          detail: `apt-get update, for ${WAZUH_PACKAGE}`,
        });
      return changes;
    },
    async apply(changes) {
      if (!w) return [];
      await checkWazuhRepository(w.repository);
      const key = changes.some((c) => c.target === WAZUH_KEYRING_PATH)
        ? await fetchWazuhKey()
        : undefined;
      // The rendered source and pin, written now (the files phase finds them unchanged).
      const aptFiles = renderWazuh(w).filter((f) => f.path.startsWith('/etc/apt/'));
      const written: string[] = [];
      try {
        if (key) {
          await installWazuhKey(key);
          written.push(WAZUH_KEYRING_PATH);
        }
        for (const f of aptFiles) {
          await mkdir(dirname(f.path), { recursive: true });
          await writeFile(f.path, f.content, { mode: f.mode });
          written.push(f.path);
        }
        const sources = aptFiles.find((f) => f.path.endsWith('.sources'))?.content ?? '';
        await updateWazuhLists(sources);
      } catch (e) {
        // Without its lists, the source would only make every later apt-get update fail.
        for (const p of written) await rm(p, { force: true });
        throw e;
      }
      return [`added Wazuh's apt repository ${w.repository}`];
    },
  };
}
