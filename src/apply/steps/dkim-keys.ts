import { existsSync } from 'node:fs';
import { ensureDkimKey } from '../../ops/dkim/keys.js';
import {
  servedDomains,
  signingMapDiffers,
  syncDkimSigningMap,
} from '../../ops/dkim/signing-map.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import { DKIM_SIGNING_MAP, dkimKeyFile } from '../../render/rspamd/dkim-signing.js';

/**
 * A DKIM key for every domain the host serves, declared in the cluster file or added with
 * `mailctl domain add`, and Rspamd's signing map naming exactly those domains. Before the
 * files go live: the rendered dkim_signing.conf names the map.
 */
export function dkimKeysStep(declaredDomains: readonly string[]): HostStep {
  return {
    name: 'dkim-keys',
    phase: 'before-files',
    async observe() {
      const domains = await servedDomains(declaredDomains);
      const changes: HostChange[] = domains
        .filter((d) => !existsSync(dkimKeyFile(d)))
        .map((d) => ({
          kind: 'dkim-key',
          action: 'create',
          target: d,
          detail: declaredDomains.includes(d)
            ? 'declared in the cluster file'
            : 'added with mailctl domain add',
        }));
      if (signingMapDiffers(domains))
        changes.push({
          kind: 'file',
          action: existsSync(DKIM_SIGNING_MAP) ? 'update' : 'create',
          target: DKIM_SIGNING_MAP,
          detail: `Rspamd signs ${domains.join(', ') || 'no domain'}`,
        });
      return changes;
    },
    async apply(changes) {
      const notes: string[] = [];
      for (const c of changes) {
        if (c.kind === 'dkim-key' && (await ensureDkimKey(c.target)))
          notes.push(`made the DKIM key of ${c.target} (${dkimKeyFile(c.target)})`);
      }
      if (await syncDkimSigningMap(declaredDomains))
        notes.push(`updated Rspamd's DKIM signing map ${DKIM_SIGNING_MAP}`);
      return notes;
    },
  };
}
