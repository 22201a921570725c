import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

/**
 * clamd's socket. Debian runs clamd socket-activated (clamav-daemon.socket, mode 0666), on
 * this path only: clamd.conf's TCPSocket stays unset, so no port is opened.
 */
export const CLAMD_SOCKET = '/run/clamav/clamd.ctl';

/** Where freshclam keeps the signatures and clamd loads every database it finds. */
export const CLAMAV_DATABASE_DIR = '/var/lib/clamav';

export const CLAMAV_PACKAGES = ['clamav-daemon', 'clamav-freshclam'] as const;

/** Purged with the two above when the antivirus is turned off (the user, clamd.conf). */
export const CLAMAV_BASE_PACKAGE = 'clamav-base';

export const CLAMD_SERVICE = 'clamav-daemon.service';
export const CLAMD_SOCKET_UNIT = 'clamav-daemon.socket';
export const FRESHCLAM_SERVICE = 'clamav-freshclam.service';

const DROPIN_NAME = 'mailctl.conf';
export const dropinPath = (unit: string) => `/etc/systemd/system/${unit}.d/${DROPIN_NAME}`;

/** Seconds clamd's start may take: the first signatures on a real host, then loading them. */
const CLAMD_START_TIMEOUT_S = 900;

/**
 * Debian's units skip clamd (ConditionPathExistsGlob= on main and daily) until freshclam
 * has fetched the signatures, and nothing starts it after that before the next boot: on a
 * fresh host the first apply would leave it down. The drop-ins clear the conditions, so the
 * socket listens from the first apply on, and clamd's start waits for a database instead
 * (any of ClamAV's database files: a real host's main/daily, or the lab's test database),
 * while freshclam, started before it, fetches them. Rspamd meanwhile fails open (antivirus.conf).
 */
function renderClamdDropins(): RenderedFile[] {
  const h = generatedHeader();
  // No parentheses or backslashes: systemd would take them for its own escapes.
  const waitForDatabase =
    `/bin/sh -c 'until find ${CLAMAV_DATABASE_DIR} -maxdepth 1 -name "*.c[vl]d" -o -name "*.[hn]db" ` +
    `| grep -q .; do sleep 2; done'`;
  return [
    rootFile('clamav', dropinPath(CLAMD_SOCKET_UNIT), `${h}[Unit]\nConditionPathExistsGlob=\n`),
    rootFile(
      'clamav',
      dropinPath(CLAMD_SERVICE),
      `${h}[Unit]\nConditionPathExistsGlob=\n\n[Service]\n` +
        `ExecStartPre=${waitForDatabase}\n` +
        `TimeoutStartSec=${CLAMD_START_TIMEOUT_S}\n` +
        // Debian's unit has no Restart=: clamd killed for memory would stay down, and Rspamd
        // would pass mail unscanned until someone noticed.
        'Restart=on-failure\nRestartSec=10s\n',
    ),
  ];
}

/** ClamAV's own files on the host (pure); Rspamd's side is rspamd/antivirus.ts. */
export function renderClamav(): RenderedFile[] {
  return renderClamdDropins();
}

/**
 * systemd's own reading of the units with their drop-ins; it only warns (exit 0) about a
 * key it cannot parse, so any output fails the check. Man pages are not installed.
 */
const VERIFY =
  `out=$(systemd-analyze verify --man=no ${CLAMD_SOCKET_UNIT} ${CLAMD_SERVICE} 2>&1); ` +
  `[ -z "$out" ] || { printf '%s\\n' "$out" >&2; exit 1; }`;

/**
 * ClamAV for Rspamd's antivirus module (mail.antivirus: clamav). Not one of
 * mailHostComponents(): it is optional, and the lab root prefetches its packages itself.
 * freshclam first, so that clamd's start finds the signatures it fetches.
 */
export const clamavComponent: ComponentDescriptor = {
  name: 'clamav',
  packages: [...CLAMAV_PACKAGES],
  units: [FRESHCLAM_SERVICE, CLAMD_SOCKET_UNIT, CLAMD_SERVICE],
  // clamd reads clamd.conf and its unit at start only; a reload (SIGUSR2) re-reads signatures.
  onChange: 'restart',
  check: ['sh', '-c', VERIFY],
};
