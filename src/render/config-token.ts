/**
 * Values from the cluster file end up inside daemon configs that have no quoting at all
 * (main.cf, master.cf, pgsql map files) or only ad hoc quoting (dovecot.conf). The spec
 * validates them, but a renderer must still never let one value become two settings:
 * whitespace, quotes, comment, brace, `$` (Postfix expansion) and `%` (Dovecot expansion)
 * characters are refused here.
 */
const UNSAFE = /[\s"'#{}$%\\;,=]/;

/** Returns `value` if it is one plain token (a host name, an address, a path), else throws. */
export function configToken(value: string, what: string): string {
  if (value === '' || UNSAFE.test(value)) {
    throw new Error(`${what} is not a plain config token: ${JSON.stringify(value)}`);
  }
  return value;
}
