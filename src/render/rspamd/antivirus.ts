import { CLAMD_SOCKET } from '../clamav/index.js';
import { generatedHeader } from '../types.js';

/** Rspamd's symbol for a message ClamAV finds a virus in (and _FAIL when it could not ask). */
export const CLAMAV_SYMBOL = 'CLAM_VIRUS';

/**
 * Largest MIME part sent to clamd, in bytes: below clamd's StreamMaxLength (Debian's 25M),
 * which would otherwise end the stream with an error. Larger parts pass unscanned.
 */
export const ANTIVIRUS_MAX_PART_BYTES = 20 * 1024 * 1024;

/**
 * local.d/antivirus.conf (mail.antivirus: clamav). Every message is scanned, from the
 * internet and from logged-in users alike: what the host signs and relays must not carry a
 * virus either. Each attachment goes to clamd as its own stream (scan_mime_parts), decoded;
 * text and image parts are skipped, as Rspamd's defaults do. A virus is refused at the end
 * of DATA with its name (action = "reject": the milter's 554 5.7.1).
 *
 * Fail-open: when clamd cannot answer (not started yet, loading signatures, killed), the
 * module inserts CLAM_VIRUS_FAIL, which scores nothing, and the mail goes on unscanned. A
 * 4xx instead would hold every message, submissions included, for as long as clamd is down,
 * and on a fresh host freshclam takes minutes; Restart=on-failure brings clamd back.
 */
export function renderAntivirusConf(): string {
  return `${generatedHeader()}clamav {
  type = "clamav";
  servers = "${CLAMD_SOCKET}";
  symbol = "${CLAMAV_SYMBOL}";
  action = "reject";
  message = '\${SCANNER}: virus found: "\${VIRUS}"';
  scan_mime_parts = true;
  scan_text_mime = false;
  scan_image_mime = false;
  max_size = ${ANTIVIRUS_MAX_PART_BYTES};
  timeout = 10s;
  retransmits = 1;
  log_clean = false;
}
`;
}
