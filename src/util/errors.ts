/**
 * Errors a user can cause and fix (bad input, a missing prerequisite, a refused operation).
 * The CLI prints `code: message` on one line and exits with `exitCode`; anything that is
 * not a UserError is a bug and is printed with its stack.
 */
export class UserError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = code;
    this.exitCode = options?.exitCode ?? 2;
  }
}

/** One problem found in an input, located by a path such as `domains[1].name`. */
export interface Issue {
  path: string;
  message: string;
}

/** Several problems at once: validation reports every error, not just the first. */
export class ValidationError extends UserError {
  readonly issues: readonly Issue[];

  constructor(code: string, source: string, issues: readonly Issue[]) {
    super(
      code,
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
