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

export function renderDovecotDropins(): RenderedFile[] {
  return [
    // `listen` names the VPN address, which exists only once wg0 is up; the sockets for
    // Postfix go into its queue's private/ directory, which Postfix creates.
    unitFile(
      DOVECOT_SERVICE_DROPIN_PATH,
      '[Unit]\nWants=wg-quick@wg0.service\nAfter=wg-quick@wg0.service postfix.service\n',
    ),
    // Debian ships dovecot.socket (disabled) listening on 143 and 993 of every address.
    // Enabled by mistake, it would hand Dovecot public IMAP sockets; with its listeners
    // cleared it cannot start at all.
    unitFile(DOVECOT_SOCKET_DROPIN_PATH, '[Socket]\nListenStream=\n'),
  ];
}
