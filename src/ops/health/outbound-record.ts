import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RecordedOutbound } from './outbound-smtp.js';

/** The last outbound port 25 attempt, kept for the timer's next runs. */
export const OUTBOUND_RECORD = '/var/lib/mailctl/health/outbound-25.json';

/** The recorded attempt, or undefined when there is none or it cannot be read. */
export async function readRecordedOutbound(
  file = OUTBOUND_RECORD,
): Promise<RecordedOutbound | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as RecordedOutbound;
    return typeof value.at === 'number' && typeof value.domain === 'string' && value.attempt
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/** Written by rename, so a run that dies halfway leaves the previous record. */
export async function recordOutbound(r: RecordedOutbound, file = OUTBOUND_RECORD): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o750 });
  await writeFile(`${file}.tmp`, `${JSON.stringify(r)}\n`, { mode: 0o640 });
  await rename(`${file}.tmp`, file);
}
