/**
 * Services with no business on a mail host, which some images and a careless
 * `apt install` bring along: apply stops and masks whichever of them exist, so that nothing
 * brings them back. A minimal Debian 13 has none of them; a provider's image may.
 */
export const UNWANTED_UNITS: readonly string[] = [
  // NFS and RPC: a port mapper listening on every address.
  'rpcbind.service',
  'rpcbind.socket',
  'nfs-server.service',
  // Zero-configuration discovery, printing, Bluetooth, modems: desktop services.
  'avahi-daemon.service',
  'avahi-daemon.socket',
  'cups.service',
  'cups.socket',
  'cups-browsed.service',
  'bluetooth.service',
  'ModemManager.service',
  // Debian's default MTA: Postfix is the MTA here.
  'exim4.service',
  // Plaintext remote logins.
  'inetd.service',
  'telnet.socket',
];
