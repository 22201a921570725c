import { X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailHostContext } from '../../render/host-context.js';
import { TEXTFILE_DIR } from '../../render/monitoring/endpoints.js';
import { run } from '../../util/exec.js';
import { backupStatus } from '../backup/gather.js';
import { wireguardPeers } from '../health/gather.js';
import { HEALTH_LOG } from '../../render/health/health-timer.js';
import {
  lastHealthReport,
  parseJailList,
  parseQueueArrivals,
  parseTotalBanned,
  textfileMetrics,
  type TextfileFacts,
} from './textfile.js';

/** The file node-exporter reads; written whole and renamed, so a scrape never sees half. */
export const TEXTFILE_PATH = join(TEXTFILE_DIR, 'mailctl.prom');

/** A command whose absence (no Fail2ban on this host) is an answer, not an error. */
const tryRun = (cmd: string, args: readonly string[]) =>
  run(cmd, args, { timeoutMs: 30_000 }).catch(() => ({ code: 127, stdout: '', stderr: '' }));

async function certificateNotAfter(file: string): Promise<number | undefined> {
  try {
    return Date.parse(new X509Certificate(await readFile(file)).validTo);
  } catch {
    return undefined;
  }
}

async function fail2banBans(): Promise<Record<string, number>> {
  const status = await tryRun('fail2ban-client', ['status']);
  if (status.code !== 0) return {};
  const bans: Record<string, number> = {};
  for (const jail of parseJailList(status.stdout)) {
    const n = parseTotalBanned((await tryRun('fail2ban-client', ['status', jail])).stdout);
    if (n !== undefined) bans[jail] = n;
  }
  return bans;
}

/** Everything the textfile says, read from the host now; a part that fails is left out. */
export async function gatherTextfileFacts(ctx: MailHostContext): Promise<TextfileFacts> {
  const queue = await tryRun('postqueue', ['-j']);
  const backups = await backupStatus(ctx).catch(() => undefined);
  const notAfter = await certificateNotAfter(ctx.tls.certFile);
  const health = lastHealthReport(await readFile(HEALTH_LOG, 'utf8').catch(() => ''));
  const handshakes = await wireguardPeers().catch(() => undefined);
  return {
    now: Date.now(),
    ...(notAfter === undefined ? {} : { certificateNotAfter: notAfter }),
    queueArrivals: queue.code === 0 ? parseQueueArrivals(queue.stdout) : [],
    fail2banBans: await fail2banBans(),
    backups: (backups?.repositories ?? []).map((r) => ({
      repository: r.name,
      ...(r.lastGood ? { lastGoodAt: Date.parse(r.lastGood) } : {}),
    })),
    ...(backups?.walArchive ? { walArchiveFailed: backups.walArchive.failedCount } : {}),
    ...(health ? { health } : {}),
    ...(handshakes ? { wireguardHandshakes: handshakes } : {}),
  };
}

/** Writes the textfile; returns its content. */
export async function writeTextfile(ctx: MailHostContext, path = TEXTFILE_PATH): Promise<string> {
  const text = textfileMetrics(await gatherTextfileFacts(ctx));
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
  return text;
}
