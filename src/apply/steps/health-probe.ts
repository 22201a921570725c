import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as accounts from '../../ops/accounts/store.js';
import { HEALTH_PROBE_SECRET } from '../../render/health/index.js';
import type { HostChange, HostStep } from '../../plan/host-steps.js';
import { SECRETS_DIR } from '../secrets.js';
import { readDatabase } from './database-state.js';

/** It never holds mail (Postfix refuses it as a recipient): the smallest quota there is. */
const PROBE_QUOTA_BYTES = 1024 * 1024;

/**
 * The mailbox `mailctl health` logs in as (ops/health/probe-mailbox.ts), with its password
 * in the host's secrets. Made when either is missing; a new password each time, set on the
 * mailbox and written to the secret together, so the two always agree.
 */
export function healthProbeStep(address: string): HostStep {
  const secretFile = join(SECRETS_DIR, HEALTH_PROBE_SECRET);
  return {
    name: 'health-probe',
    phase: 'after-activate',
    async observe(): Promise<HostChange[]> {
      const boxes = await readDatabase(() => accounts.listMailboxes(), 'public.mailboxes');
      const exists = boxes?.some((m) => m.address === address) ?? false;
      if (exists && existsSync(secretFile)) return [];
      return [
        {
          kind: 'mailbox',
          action: exists ? 'update' : 'create',
          target: address,
          detail: `the health checks' probe mailbox, password in ${secretFile}`,
        },
      ];
    },
    async apply(changes) {
      const password = randomBytes(18).toString('base64url');
      if (changes.some((c) => c.action === 'create'))
        await accounts.addMailbox(address, password, PROBE_QUOTA_BYTES);
      else await accounts.setPassword(address, password);
      await mkdir(SECRETS_DIR, { recursive: true, mode: 0o700 });
      await writeFile(secretFile, `${password}\n`, { mode: 0o600 });
      return [`made the health probe mailbox ${address} (password in ${secretFile})`];
    },
  };
}
