import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { mailctl } from './cli.js';

/**
 * The lab host that the day-two test files share (domains, accounts, access, sender):
 * each of them works on the quick start's cluster file and leaves the host as it found
 * it, so a fresh boot and apply per file (minutes each) would buy nothing. The first file
 * that needs it brings it up; the global teardown takes it down.
 * MAILCTL_E2E_LAB=<name> uses a lab that is already up instead, and leaves it up.
 */
export const SHARED_LAB = process.env.MAILCTL_E2E_LAB ?? 'e2eshare';

/**
 * The mark a run leaves when one of its files booted the shared lab: the files run in
 * worker processes, the teardown in the main one, whose pid the global setup hands down
 * (MAILCTL_E2E_RUN). A lab some other run booted is never this run's to take down.
 */
const bootedMark = () =>
  join(tmpdir(), `mailctl-e2e-${SHARED_LAB}-booted-by-${process.env.MAILCTL_E2E_RUN ?? 'none'}`);

/** Brings the shared lab up unless it already runs; call it from a file's beforeAll. */
export function useSharedLab(): string {
  if (process.env.MAILCTL_E2E_LAB) return SHARED_LAB;
  if (mailctl(['lab', 'status', '--name', SHARED_LAB]).code === 0) return SHARED_LAB;
  const up = mailctl(['lab', 'up', '--name', SHARED_LAB], { timeoutMs: 1_800_000 });
  writeFileSync(bootedMark(), '');
  expect(up.code, up.stderr).toBe(0);
  return SHARED_LAB;
}

/** Takes the shared lab down, if this run brought it up. */
export function downSharedLab(): void {
  if (process.env.MAILCTL_E2E_LAB || !existsSync(bootedMark())) return;
  rmSync(bootedMark());
  mailctl(['lab', 'down', '--name', SHARED_LAB]);
}
