import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const UNATTENDED_UPGRADES_PATH = '/etc/apt/apt.conf.d/52mailctl-unattended-upgrades';

/**
 * Security updates only, installed daily by apt's own timers. APT appends list values
 * from every file, so `#clear` first drops Debian's default origins (which include the
 * point-release updates); a mail host takes those when its administrator decides.
 */
export function renderUnattendedUpgrades(): string {
  return `${generatedHeader('//')}
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
APT::Periodic::AutocleanInterval "7";

#clear Unattended-Upgrade::Origins-Pattern;
Unattended-Upgrade::Origins-Pattern {
  "origin=Debian,codename=\${distro_codename}-security,label=Debian-Security";
  "origin=Debian,codename=\${distro_codename},label=Debian-Security";
};
Unattended-Upgrade::Remove-Unused-Dependencies "true";
// mailctl writes some packages' conffiles whole (nginx.conf, sogo.conf, redis.conf,
// login.defs, issue, issue.net, default/debsums).
// unattended-upgrade holds back any update that would ask about a locally changed
// conffile, security fixes included, unless dpkg is told what to answer: keep the file in
// place (the next apply renders it again anyway) and take the package's new version of
// every conffile nobody changed.
DPkg::Options {
  "--force-confdef";
  "--force-confold";
};
// needrestart restarts the daemons that still run a replaced library (its conf.d file);
// a new kernel waits for the administrator: never reboot on our own.
Unattended-Upgrade::Automatic-Reboot "false";
`;
}

export function renderUnattended(): RenderedFile[] {
  return [
    {
      path: UNATTENDED_UPGRADES_PATH,
      content: renderUnattendedUpgrades(),
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'unattended-upgrades',
    },
  ];
}

export const unattendedUpgradesComponent: ComponentDescriptor = {
  name: 'unattended-upgrades',
  packages: ['unattended-upgrades'],
  // apt-daily refreshes the lists, apt-daily-upgrade runs unattended-upgrade.
  units: ['apt-daily.timer', 'apt-daily-upgrade.timer'],
  onChange: 'restart',
  // APT's own parser over every apt.conf.d file, ours included; a syntax error fails it.
  check: ['sh', '-c', 'apt-config dump >/dev/null'],
};
