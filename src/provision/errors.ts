import { UserError } from '../util/errors.js';

/** A cluster file or option that cannot become a working module; nothing is written. */
export function provisionError(code: string, message: string): UserError {
  return new UserError(code, message, { exitCode: 2 });
}
