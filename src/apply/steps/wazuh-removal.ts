import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import {
  OSSEC_DIR,
  WAZUH_KEYRING_PATH,
  WAZUH_PACKAGE,
  WAZUH_PREFERENCES_PATH,
  WAZUH_SOURCES_PATH,
} from '../../render/wazuh/index.js';
import { mustRun, run } from '../../util/exec.js';

const AGENT_UNIT = 'wazuh-agent.service';
const APT_LISTS = '/var/lib/apt/lists';

/** apt's list files of the repository (named after its host), left by `apt-get update`. */
async function wazuhLists(): Promise<string[]> {
  const names = await readdir(APT_LISTS).catch(() => [] as string[]);
  return names.filter((n) => /^packages\.wazuh\.com_/.test(n)).map((n) => join(APT_LISTS, n));
}

/** dpkg's state of the agent: installed, or its configuration files left after a remove. */
async function agentPackageState(): Promise<'installed' | 'config-files' | undefined> {
  const r = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', WAZUH_PACKAGE]);
  const status = r.code === 0 ? r.stdout.trim() : '';
  if (status === 'installed' || status === 'config-files') return status;
  return status && status !== 'not-installed' ? 'installed' : undefined;
}

async function unitEnabledOrActive(): Promise<boolean> {
  const enabled = await run('systemctl', ['is-enabled', AGENT_UNIT]);
  const active = await run('systemctl', ['is-active', AGENT_UNIT]);
  return enabled.stdout.trim() === 'enabled' || active.stdout.trim() === 'active';
}

/**
 * monitoring.wazuh taken out of the cluster file: the agent is stopped and disabled, its
 * package purged and /var/ossec removed, and Wazuh's repository goes
 * with it: its key, source, pin and package lists, so that apt no longer fetches from it.
 * The enrollment password stays in /etc/mailctl/secrets, so that turning the agent on again
 * enrolls with the password the manager already has.
 */
export function wazuhRemovalStep(wazuhWanted: boolean): HostStep {
  return {
    name: 'wazuh-removal',
    // Before apt installs anything: with the repository's source gone, no later apt run
    // reaches for it.
    phase: 'before-packages',
    async observe() {
      if (wazuhWanted) return [];
      const changes: HostChange[] = [];
      if (await unitEnabledOrActive())
        changes.push({
          kind: 'unit',
          action: 'disable',
          target: AGENT_UNIT,
          detail: 'stopped: monitoring.wazuh is not in the cluster file',
        });
      const state = await agentPackageState();
      if (state)
        changes.push({
          kind: 'package',
          action: 'remove',
          target: WAZUH_PACKAGE,
          detail: `purged, and ${OSSEC_DIR} with the agent's key removed`,
        });
      const repoFiles = [WAZUH_KEYRING_PATH, WAZUH_SOURCES_PATH, WAZUH_PREFERENCES_PATH].filter(
        (p) => existsSync(p),
      );
      const lists = await wazuhLists();
      if (repoFiles.length || lists.length)
        changes.push({
          kind: 'repository',
          action: 'remove',
          target: "Wazuh's apt repository",
          detail: [...repoFiles, ...(lists.length ? [`${lists.length} list(s)`] : [])].join(', '),
        });
      return changes;
    },
    async apply(changes) {
      const notes: string[] = [];
      if (changes.some((c) => c.kind === 'unit')) {
        await mustRun('systemctl', ['disable', '--now', AGENT_UNIT]);
        notes.push(`stopped and disabled ${AGENT_UNIT}`);
      }
      // The repository first: apt reads every source's lists even to purge, and a broken
      // one of Wazuh's should not stand in the way.
      if (changes.some((c) => c.kind === 'repository')) {
        const paths = [WAZUH_KEYRING_PATH, WAZUH_SOURCES_PATH, WAZUH_PREFERENCES_PATH];
        for (const p of [...paths, ...(await wazuhLists())]) await rm(p, { force: true });
        notes.push("removed Wazuh's apt repository (key, source, pin and lists)");
      }
      if (changes.some((c) => c.kind === 'package')) {
        await mustRun('apt-get', ['purge', '-y', '-q', WAZUH_PACKAGE], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          timeoutMs: 10 * 60_000,
        });
        // What the agent made at run time (its key with the manager, queues, logs) is no
        // package file; dpkg leaves it behind.
        await rm(OSSEC_DIR, { recursive: true, force: true });
        notes.push(`purged ${WAZUH_PACKAGE} and removed ${OSSEC_DIR}`);
      }
      return notes;
    },
  };
}
