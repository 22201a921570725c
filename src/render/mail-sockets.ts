/**
 * Where Postfix and Dovecot meet. Postfix runs smtpd and lmtp chrooted into its queue
 * directory, so every Unix socket it connects to lives under the queue's private/
 * directory (readable by the postfix user only) and is named relative to it in main.cf;
 * Dovecot creates those sockets at the absolute path.
 */
export const POSTFIX_PRIVATE_SOCKETS = {
  /** Dovecot's auth service for smtpd_sasl_type = dovecot. */
  sasl: 'private/auth',
  /** Dovecot's LMTP service: virtual_transport. */
  lmtp: 'private/dovecot-lmtp',
  /** Dovecot's quota-status policy service: check_policy_service at RCPT time. */
  quotaStatus: 'private/quota-status',
} as const;

/**
 * How many LMTP deliveries may run at once. Dovecot refuses more than its
 * lmtp_user_concurrency_limit for one user with a 451, and Postfix, whose LMTP "destination"
 * is the one Dovecot socket, would otherwise open up to default_destination_concurrency_limit
 * (20) sessions: a burst to one mailbox then waits out a whole queue retry. Both sides get
 * the same number, so Postfix never asks for more than Dovecot grants.
 */
export const LMTP_CONCURRENCY = 10;

/** The absolute path of one of those sockets on a host with the given queue directory. */
export function postfixSocketPath(
  queueDirectory: string,
  socket: keyof typeof POSTFIX_PRIVATE_SOCKETS,
): string {
  return `${queueDirectory.replace(/\/+$/, '')}/${POSTFIX_PRIVATE_SOCKETS[socket]}`;
}

/**
 * Rspamd's milter (its proxy worker in milter mode, Rspamd's default port). Loopback
 * only: the milter protocol has no authentication.
 */
export const RSPAMD_MILTER_ADDRESS = { host: '127.0.0.1', port: 11332 } as const;

/** Debian's PostgreSQL socket directory: Postfix and Dovecot connect here in native mode. */
export const POSTGRES_SOCKET_DIR = '/var/run/postgresql';
