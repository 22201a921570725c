import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const BUNDLE = resolve(import.meta.dirname, '../../../dist/mailctl.mjs');

function ran(r: ReturnType<typeof spawnSync>): Ran {
  return { code: r.status ?? 128, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Runs the bundled mailctl CLI on this machine. */
export function mailctl(
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Ran {
  return ran(
    spawnSync('node', [BUNDLE, ...args], {
      input: opts.input,
      timeout: opts.timeoutMs ?? 600_000,
      encoding: 'utf8',
    }),
  );
}

/** Runs a command in one of a lab's namespaces through `mailctl lab exec`. */
export function labRun(
  lab: string,
  ns: 'host' | 'internet' | 'vpn',
  cmd: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Ran {
  return mailctl(['lab', 'exec', '--name', lab, '--ns', ns, '--', ...cmd], opts);
}

/** Runs a shell snippet (bash) in one of a lab's namespaces. */
export function labSh(
  lab: string,
  ns: 'host' | 'internet' | 'vpn',
  script: string,
  timeoutMs = 60_000,
): Ran {
  return labRun(lab, ns, ['bash', '-c', script], { timeoutMs });
}

/** Runs a command on this machine. */
export function sh(script: string): Ran {
  return ran(spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 }));
}

/** The lab host as its administrator sees it: commands, and apply with an injected fault. */
export function labHost(lab: string) {
  const run = (cmd: readonly string[], input?: string) =>
    labRun(lab, 'host', cmd, input === undefined ? {} : { input });
  return {
    run,
    /** `mailctl apply` with the test hook that appends `text` to one rendered file. */
    applyWithFault: (path: string, text: string) =>
      run([
        'env',
        'MAILCTL_TEST_HOOKS=1',
        `MAILCTL_TEST_FAULT=${path}=${text}`,
        'mailctl',
        'apply',
      ]),
  };
}

/** A tag unique to one run, to find its messages again. */
export const uniqueTag = (prefix = 't') =>
  `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
