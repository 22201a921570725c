import { UserError } from '../util/errors.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM during an apply must leave the host as a failed apply does:
 * the previous configuration, running. The signal is only noted; apply stops at its next
 * checkpoint by throwing, which undoes installed files exactly as a failed check would.
 */
let received: NodeJS.Signals | undefined;
const note = (signal: NodeJS.Signals) => {
  received = signal;
};

/** Traps SIGINT and SIGTERM until the returned function is called. */
export function trapInterrupts(): () => void {
  received = undefined;
  process.on('SIGINT', note);
  process.on('SIGTERM', note);
  return () => {
    process.off('SIGINT', note);
    process.off('SIGTERM', note);
  };
}

export const interrupted = (): boolean => received !== undefined;

/** Throws E_APPLY_INTERRUPTED (exit 130 for SIGINT, 143 for SIGTERM) once a signal came. */
export function checkInterrupted(): void {
  if (!received) return;
  throw new UserError('E_APPLY_INTERRUPTED', `interrupted by ${received}`, {
    exitCode: received === 'SIGINT' ? 130 : 143,
  });
}
