import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const HEALTH_LOG = '/var/log/mailctl/health.jsonl';
export const HEALTH_UNIT = 'mailctl-health';
/** How often the timer runs the checks. */
export const HEALTH_INTERVAL = '5min';

/**
 * `mailctl health` on a timer: each run appends one JSON line (ts, status, checks) to
 * HEALTH_LOG, which Wazuh's agent and people read. A run that finds a warning or a critical
 * check still succeeded as a run (SuccessExitStatus): the finding is in the log, and the unit
 * fails only when mailctl itself cannot run.
 */
export function renderHealthTimer(): RenderedFile[] {
  const h = generatedHeader();
  const service = [
    '[Unit]',
    'Description=mailctl health checks, appended to ' + HEALTH_LOG,
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=/usr/local/bin/mailctl health --log ${HEALTH_LOG}`,
    'SuccessExitStatus=1 2',
    // The checks only read; the whole run has a bound of its own should a probe hang past
    // its time limit.
    'TimeoutStartSec=120s',
    'Nice=10',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    'Description=mailctl health checks every ' + HEALTH_INTERVAL,
    '',
    '[Timer]',
    'OnBootSec=2min',
    `OnUnitActiveSec=${HEALTH_INTERVAL}`,
    'AccuracySec=30s',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  // About 300 lines a day of a few kB each: a week of daily files, compressed.
  const logrotate = [
    `${HEALTH_LOG} {`,
    '  daily',
    '  rotate 7',
    '  compress',
    '  delaycompress',
    '  missingok',
    '  notifempty',
    '  create 0640 root adm',
    '}',
    '',
  ].join('\n');
  return [
    rootFile('health', `/etc/systemd/system/${HEALTH_UNIT}.service`, `${h}${service}`),
    rootFile('health', `/etc/systemd/system/${HEALTH_UNIT}.timer`, `${h}${timer}`),
    rootFile('health', `/etc/logrotate.d/mailctl-health`, `${h}${logrotate}`),
  ];
}

/**
 * logrotate's dry run (-d) parses the file and says `error:` for what it refuses; it
 * writes its whole plan to stderr, so only an error is passed on.
 */
export const logrotateCheck = (file: string) =>
  `out=$(logrotate -d ${file} 2>&1); case "$out" in *error*) printf '%s\\n' "$out" >&2; exit 1;; esac`;

export const HEALTH_LOGROTATE_CHECK = logrotateCheck('/etc/logrotate.d/mailctl-health');

export const healthComponent: ComponentDescriptor = {
  name: 'health',
  packages: [],
  units: [`${HEALTH_UNIT}.timer`],
  onChange: 'restart',
  check: ['sh', '-c', HEALTH_LOGROTATE_CHECK],
};
