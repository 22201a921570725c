import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const CORE_LIMITS_PATH = '/etc/security/limits.d/mailctl-core-dumps.conf';
export const CORE_SYSTEMD_PATH = '/etc/systemd/system.conf.d/mailctl-core-dumps.conf';

/**
 * A core dump is a copy of a process's memory on disk: for Dovecot's auth process, a
 * Postfix smtpd in a SASL exchange, nginx or Rspamd, that means passwords and private
 * keys. The hard limit 0 keeps any process from raising it again; fs.suid_dumpable = 0
 * (the sysctl file) covers setuid programs on a host whose kernel is its own.
 */
export function renderCoreDumpLimits(): RenderedFile[] {
  const h = generatedHeader();
  return [
    // Login sessions (pam_limits: SSH, console, su).
    rootFile('core-dumps', CORE_LIMITS_PATH, `${h}*\tsoft\tcore\t0\n*\thard\tcore\t0\n`),
    // Every service systemd starts; a unit may still set its own LimitCORE= for a crash
    // an administrator wants to study.
    rootFile('core-dumps', CORE_SYSTEMD_PATH, `${h}[Manager]\nDefaultLimitCORE=0\n`),
  ];
}

export const coreDumpsComponent: ComponentDescriptor = {
  name: 'core-dumps',
  packages: [],
  // apply's daemon-reload (any change under /etc/systemd/) makes systemd re-read
  // system.conf.d; a service gets the limit when it next starts, a login when it begins.
  units: [],
  // Neither limits.conf nor system.conf has a checker of its own.
  onChange: 'restart',
};
