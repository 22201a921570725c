/**
 * Mozilla's "intermediate" server TLS profile (ssl-config.mozilla.org, guideline 5.7):
 * TLS 1.2 and 1.3, and for TLS 1.2 only forward-secret AEAD suites. TLS 1.3 suites are not
 * listed: OpenSSL configures them separately and all of its defaults are fine.
 * Shared by every daemon that serves clients over mandatory TLS, so they offer the same.
 */
export const MOZILLA_INTERMEDIATE_MIN_PROTOCOL = 'TLSv1.2';

export const MOZILLA_INTERMEDIATE_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');
