import { ISSUE_NET_PATH } from '../banners/index.js';
import { generatedHeader, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const SSHD_DROPIN_PATH = '/etc/ssh/sshd_config.d/mailctl.conf';

/**
 * OpenSSH 10 server settings. Debian's sshd_config includes sshd_config.d/*.conf before
 * its own lines, and for most keywords sshd takes the first value it reads, so these win.
 * The firewall already keeps SSH to the VPN and the admin allow-list; this is what holds
 * if someone reaches it anyway.
 */
export function renderSshdConfig(): string {
  return `${generatedHeader()}
# Keys only: no passwords, no keyboard-interactive (PAM's password prompt), and root only
# with a key.
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password

# Fewer guesses per connection and less time to make them (Fail2ban's sshd jail counts
# the failures across connections).
MaxAuthTries 3
LoginGraceTime 30
MaxStartups 10:30:60
MaxSessions 2

# An administrator's shell, not a tunnel: no forwarding of any kind.
AllowTcpForwarding no
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
GatewayPorts no
PermitUserEnvironment no

# The legal notice, before authentication; it names no software or version.
Banner ${ISSUE_NET_PATH}

ClientAliveInterval 300
ClientAliveCountMax 2
TCPKeepAlive no
LogLevel VERBOSE

# Only modern algorithms: post-quantum hybrid and X25519 key exchange, AEAD ciphers,
# encrypt-then-MAC with SHA-2, Ed25519 and RSA-SHA2 keys.
KexAlgorithms mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
HostKeyAlgorithms ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-256
PubkeyAcceptedAlgorithms ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,rsa-sha2-512,rsa-sha2-256
`;
}

export function renderSsh(): RenderedFile[] {
  return [
    {
      path: SSHD_DROPIN_PATH,
      content: renderSshdConfig(),
      mode: 0o644,
      owner: 'root',
      group: 'root',
      component: 'ssh',
    },
  ];
}

export const sshComponent: ComponentDescriptor = {
  name: 'ssh',
  packages: ['openssh-server'],
  units: ['ssh.service'],
  // sshd re-reads its configuration on SIGHUP; open sessions stay.
  onChange: 'reload',
  // sshd's own test mode parses the full configuration (with the staged drop-in) and the
  // host keys; it needs the privilege-separation directory the unit normally creates.
  check: ['sh', '-c', 'mkdir -p /run/sshd && /usr/sbin/sshd -t'],
};
