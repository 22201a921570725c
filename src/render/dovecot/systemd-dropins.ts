import type { MailHostContext } from '../host-context.js';
import { postgresComponentFor } from '../postgres/index.js';
import { generatedHeader, type RenderedFile } from '../types.js';

export const DOVECOT_SERVICE_DROPIN_PATH = '/etc/systemd/system/dovecot.service.d/mailctl.conf';
export const DOVECOT_SOCKET_DROPIN_PATH = '/etc/systemd/system/dovecot.socket.d/mailctl.conf';

const unitFile = (path: string, body: string): RenderedFile => ({
  path,
  content: `${generatedHeader()}${body}`,
  mode: 0o644,
  owner: 'root',
  group: 'root',
  component: 'dovecot',
});

export function renderDovecotDropins(
  ctx: Pick<MailHostContext, 'postgres' | 'vpnAddress'>,
): RenderedFile[] {
  const [postgres] = postgresComponentFor(ctx).units;
  return [
    // `listen` names the VPN address, which exists only once wg0 is up; the sockets for
    // Postfix go into its queue's private/ directory, which Postfix creates. At boot
    // PostgreSQL goes first: Debian 13's Dovecot (2.4.1+deb13u7) fails a lookup at once
    // while its SQL connection is down and waits 1, 5, 25, 125 s... between reconnects, so
    // an auth process that starts before the server refuses logins for minutes.
    unitFile(
      DOVECOT_SERVICE_DROPIN_PATH,
      `[Unit]\nWants=wg-quick@wg0.service\nAfter=wg-quick@wg0.service postfix.service ${postgres ?? ''}\n`,
    ),
    // Debian ships dovecot.socket (disabled) listening on 143 and 993 of every address.
    // Enabled by mistake, it would hand Dovecot public IMAP sockets; with its listeners
    // cleared it cannot start at all.
    unitFile(DOVECOT_SOCKET_DROPIN_PATH, '[Socket]\nListenStream=\n'),
  ];
}
