import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LAB_NET } from '../../../src/lab/layout.js';
import { sh } from './cli.js';

const SUPPORT = resolve(import.meta.dirname);
const TSX = resolve(import.meta.dirname, '../../../node_modules/tsx/dist/esm/index.mjs');

/**
 * Runs one of the support servers (a TypeScript file here) in the lab's internet namespace
 * and waits (bounded, 30 s) for the READY file it makes once it listens: mail sent before
 * a receiver listens is deferred by Postfix for minutes.
 */
export function startInInternet(
  lab: string,
  script: string,
  args: readonly string[],
  ready: string,
) {
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      `mailctl-${lab}-inet`,
      'node',
      '--import',
      TSX,
      join(SUPPORT, script),
      ...args,
      ready,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 60 && !existsSync(ready); i++) sh('sleep 0.5');
  if (!existsSync(ready)) {
    server.kill();
    throw new Error(`${script} did not start listening within 30 s`);
  }
  return server;
}

/**
 * The outside world's MX for example.org (mx.example.org is the internet namespace itself):
 * smtp-sink.ts on port 25 there, storing what the lab host delivers into a directory.
 */
export function startOutsideMx(lab: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mailctl-sink-'));
  const sink = startInInternet(
    lab,
    'smtp-sink.ts',
    [LAB_NET.internetRouter4, '25', dir],
    `${dir}.ready`,
  );
  return {
    dir,
    /** Waits (bounded, 30 s) for the message carrying `marker`; returns its file. */
    waitFor(marker: string): string | undefined {
      for (let i = 0; i < 60; i++) {
        const file = readdirSync(dir)
          .map((f) => join(dir, f))
          .find((f) => readFileSync(f, 'latin1').includes(marker));
        if (file) return file;
        sh('sleep 0.5');
      }
      return undefined;
    },
    stop: () => sink.kill(),
  };
}

/** dkimpy's verdict on a message against one TXT record: 'pass' or 'fail'. */
export function dkimVerify(file: string, name: string, value: string): string {
  return sh(
    `/usr/bin/python3 ${join(SUPPORT, 'dkim-verify.py')} '${file}' '${name}' '${value}'`,
  ).stdout.trim();
}
