import { CommanderError } from 'commander';
import { isUserError, ValidationError } from '../util/errors.js';

/** Exit statuses mailctl keeps stable (the README's "Exit codes" lists them). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_LAB_NOT_RUNNING = 3;
export const EXIT_INTERNAL = 70;

/** One JSON document on stdout, the form every `--json` command prints. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Whether the command line asks for JSON. Read from argv rather than from the parsed
 * options, so that an error before or during parsing (an unknown option, a missing
 * argument) is reported as JSON too. Arguments after `--` belong to another program.
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export interface ErrorReport {
  code: string;
  message: string;
  /** Every problem of a cluster file that failed validation. */
  issues?: ValidationError['issues'];
}

export interface Failure {
  exitCode: number;
  report: ErrorReport;
  /** The stack of a bug, for stderr only. */
  stack?: string;
}

/** What a thrown value means to the user: its code, its message and the exit status. */
export function classifyError(e: unknown): Failure {
  if (e instanceof CommanderError) {
    // Commander's own messages start with "error: ".
    return {
      exitCode: EXIT_USAGE,
      report: { code: 'E_USAGE', message: e.message.replace(/^error: /, '') },
    };
  }
  if (isUserError(e)) {
    const report: ErrorReport = { code: e.code, message: e.message };
    if (e instanceof ValidationError) report.issues = e.issues;
    return { exitCode: e.exitCode, report };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    exitCode: EXIT_INTERNAL,
    report: { code: 'E_INTERNAL', message: `internal error (a bug, please report it): ${message}` },
    stack: e instanceof Error ? (e.stack ?? e.message) : String(e),
  };
}

/**
 * Reports a failure: in JSON mode `{"error":{...}}` on stdout, so a script always gets a
 * document to parse; otherwise one line on stderr (a bug adds its stack).
 */
export function reportFailure(f: Failure, json: boolean): void {
  if (json) printJson({ error: f.report });
  else if (f.stack === undefined)
    process.stderr.write(`mailctl: ${f.report.code}: ${f.report.message}\n`);
  if (f.stack !== undefined) {
    if (!json) process.stderr.write(`mailctl: internal error (a bug, please report it):\n`);
    process.stderr.write(`${f.stack}\n`);
  }
}
