import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const NEEDRESTART_DROPIN_PATH = '/etc/needrestart/conf.d/mailctl.conf';

/**
 * A security update of a library (OpenSSL, glibc) protects nothing until the daemons that
 * loaded the old one restart. needrestart runs after every apt and unattended-upgrade run,
 * finds those daemons and, with restart mode `a`, restarts them without asking: an
 * unattended upgrade has no one to ask. Its own defaults keep the ones that must not be
 * restarted under a running system (dbus, systemd-logind, getty) out of it, and it never
 * reboots for a new kernel.
 */
export function renderNeedrestartConf(): string {
  return `${generatedHeader()}
$nrconf{restart} = 'a';
`;
}

export function renderNeedrestart(): RenderedFile[] {
  return [rootFile('needrestart', NEEDRESTART_DROPIN_PATH, renderNeedrestartConf())];
}

export const needrestartComponent: ComponentDescriptor = {
  name: 'needrestart',
  packages: ['needrestart'],
  // Run by apt's hooks: nothing to reload.
  units: [],
  onChange: 'restart',
  // needrestart's configuration files are Perl, evaluated as they are: perl's own syntax
  // check.
  check: ['perl', '-c', NEEDRESTART_DROPIN_PATH],
};
