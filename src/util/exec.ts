import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { UserError } from './errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
  /** Stream the command's output to ours (long steps the user should see). */
  inherit?: boolean;
  /** Values that must never appear in an error message (a password passed as an argument). */
  secrets?: readonly string[];
}

/** Runs a command without a shell and collects its output; never throws on exit status. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [
        opts.input === undefined ? 'ignore' : 'pipe',
        opts.inherit ? 'inherit' : 'pipe',
        opts.inherit ? 'inherit' : 'pipe',
      ],
    };
    const child = spawn(cmd, args, spawnOpts);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new UserError('E_COMMAND_MISSING', `command not found: ${cmd}`, { cause: err }));
      } else {
        reject(err);
      }
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + 9 : 1), stdout, stderr });
    });
    if (opts.input !== undefined) {
      child.stdin?.end(opts.input);
    }
  });
}

/**
 * Like run(), but a non-zero exit is a user error (E_COMMAND_FAILED, exit 1): a daemon's
 * tool refusing is a failed operation the administrator can act on, not a bug of mailctl.
 */
export async function mustRun(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new CommandError(cmd, args, r, opts.secrets ?? []);
  return r;
}

/** A command that exited non-zero; its message names it, secrets redacted. */
export class CommandError extends UserError {
  readonly result: RunResult;
  constructor(cmd: string, args: readonly string[], result: RunResult, secrets: readonly string[]) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
    const line = [cmd, ...args.map((a, i) => redactArg(a, args[i - 1]))].join(' ');
    super(
      'E_COMMAND_FAILED',
      redactValues(`${line} exited ${result.code}${tail ? `: ${tail}` : ''}`, secrets),
      { exitCode: 1 },
    );
    this.name = 'CommandError';
    this.result = result;
  }
}

export const REDACTED = '<redacted>';
const SECRET_NAME = /pass|secret|token|hash|private|key/i;

/**
 * One argument as it may be shown: the value of `name=value` or of the option before it is
 * hidden when the name says it is a secret (`-v hash=...`, `--password X`).
 */
export function redactArg(arg: string, previous?: string): string {
  const eq = arg.indexOf('=');
  if (eq > 0 && SECRET_NAME.test(arg.slice(0, eq))) return `${arg.slice(0, eq + 1)}${REDACTED}`;
  if (previous?.startsWith('-') && !previous.includes('=') && SECRET_NAME.test(previous))
    return REDACTED;
  return arg;
}

function redactValues(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s !== '').reduce((t, s) => t.split(s).join(REDACTED), text);
}

/**
 * Starts a long-lived process that outlives this one (a lab's PID 1, a daemon in a lab
 * namespace), its output appended to logFile; returns its PID.
 */
export function spawnDetached(cmd: string, args: readonly string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${cmd}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
