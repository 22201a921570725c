import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRun, labSh, mailctl, sh } from './support/cli.js';

// A lab of its own, so that the suite runs beside a quick-start lab ('lab') without touching it.
const LAB = 'e2elab';
const OTHER = 'e2elab2';

/** Units that cannot work in a container: systemd-modules-load needs kernel modules it may not load. */
const EXPECTED_FAILED_IN_NAMESPACE = ['systemd-modules-load.service'];

interface Status {
  state: string;
  systemState?: string;
  failedUnits?: string[];
  vpnHandshake?: boolean;
}

const status = (name: string): Status =>
  JSON.parse(mailctl(['lab', 'status', '--name', name, '--json']).stdout) as Status;

/** A TCP connection from a namespace; prints what the server sent. */
const tcpRead = (ns: 'internet' | 'vpn', addr: string, port: number) =>
  labSh(LAB, ns, `timeout 3 bash -c 'exec 3<>/dev/tcp/${addr}/${port}; head -c 100 <&3'`);

/** Everything a lab could leave on this machine, found by its name. */
function leftovers(name: string): string[] {
  const found: string[] = [];
  const netns = sh('ip netns list').stdout;
  if (netns.includes(`mailctl-${name}-`)) found.push(`netns: ${netns.trim()}`);
  const links = sh(`ip -o link show | grep -E ': mc${name}(hp|ip|iv|vw|wg)' || true`).stdout.trim();
  if (links) found.push(`links: ${links}`);
  const procs = sh(
    `pgrep -af '[/]var/lib/mailctl/lab/${name}/|wireguard-go --foreground [m]c${name}wg' || true`,
  ).stdout.trim();
  if (procs) found.push(`processes: ${procs}`);
  const mounts = sh(
    `findmnt -rn -o TARGET | grep '^/var/lib/mailctl/lab/${name}' || true`,
  ).stdout.trim();
  if (mounts) found.push(`mounts: ${mounts}`);
  if (sh(`test -e /var/run/wireguard/mc${name}wg.sock`).code === 0) found.push('wireguard socket');
  if (sh(`test -e /var/lib/mailctl/lab/${name}`).code === 0) found.push('state directory');
  if (sh(`test -e /etc/netns/mailctl-${name}-inet`).code === 0) found.push('/etc/netns entries');
  return found;
}

describe('the lab host', () => {
  beforeAll(() => {
    const up = mailctl(['lab', 'up', '--bare', '--name', LAB], { timeoutMs: 1_800_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('mail.example.com');
  });

  afterAll(() => {
    mailctl(['lab', 'down', '--name', LAB]);
    mailctl(['lab', 'down', '--name', OTHER]);
  });

  it('boots Debian 13 under systemd with nothing failed but units a namespace cannot run', () => {
    const s = status(LAB);
    expect(s.state).toBe('running');
    expect(['running', 'degraded']).toContain(s.systemState);
    for (const unit of s.failedUnits ?? []) expect(EXPECTED_FAILED_IN_NAMESPACE).toContain(unit);
    const release = labRun(LAB, 'host', ['cat', '/etc/os-release']);
    expect(release.stdout).toMatch(/VERSION_CODENAME=trixie/);
    expect(labRun(LAB, 'host', ['cat', '/proc/1/comm']).stdout.trim()).toBe('systemd');
    // Hardened units (PrivateUsers=) need user namespaces, which a chroot would forbid.
    expect(labRun(LAB, 'host', ['unshare', '--user', 'true']).code).toBe(0);
  });

  it('answers on its public address from the internet, but not on its VPN address', () => {
    expect(labRun(LAB, 'internet', ['ping', '-c1', '-W2', '198.51.100.10']).code).toBe(0);
    expect(labRun(LAB, 'internet', ['ping', '-c1', '-W2', 'mail.example.com']).code).toBe(0);
    expect(labRun(LAB, 'internet', ['ping', '-6', '-c1', '-W2', '2001:db8:100::10']).code).toBe(0);
    // An attacker on the public link routes the VPN subnet at the host's public address.
    expect(
      labRun(LAB, 'internet', ['ip', 'route', 'replace', '10.100.0.0/24', 'via', '198.51.100.10'])
        .code,
    ).toBe(0);
    expect(labRun(LAB, 'internet', ['ping', '-c1', '-W2', '10.100.0.1']).code).not.toBe(0);
  });

  it('is reached by the VPN client over WireGuard, with a recorded handshake', () => {
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', '10.100.0.1']).code).toBe(0);
    expect(labRun(LAB, 'vpn', ['getent', 'hosts', 'mail.example.com']).stdout).toContain(
      '10.100.0.1',
    );
    const hs = labRun(LAB, 'vpn', ['wg', 'show', `mc${LAB}wg`, 'latest-handshakes'])
      .stdout.trim()
      .split(/\s+/);
    expect(Number(hs[1])).toBeGreaterThan(0);
    expect(status(LAB).vpnHandshake).toBe(true);
  });

  it('serves a VPN-bound service to the VPN client only', () => {
    const start = labRun(LAB, 'host', [
      'systemd-run',
      '--unit=e2e-vpn-probe',
      '--collect',
      'node',
      '-e',
      "require('net').createServer((s) => s.end('hello from the vpn side\\n')).listen(8080, '10.100.0.1')",
    ]);
    expect(start.code, start.stderr).toBe(0);
    let fromVpn = tcpRead('vpn', '10.100.0.1', 8080);
    for (let i = 0; i < 20 && !fromVpn.stdout.includes('hello'); i++) {
      sh('sleep 0.25');
      fromVpn = tcpRead('vpn', '10.100.0.1', 8080);
    }
    expect(fromVpn.stdout).toContain('hello from the vpn side');
    expect(tcpRead('internet', '10.100.0.1', 8080).stdout).toBe('');
    expect(tcpRead('internet', '198.51.100.10', 8080).code).not.toBe(0);
    labRun(LAB, 'host', ['systemctl', 'stop', 'e2e-vpn-probe']);
  });

  it('passes on the exit status of a command run in it', () => {
    expect(labRun(LAB, 'host', ['sh', '-c', 'exit 7']).code).toBe(7);
    expect(labRun(LAB, 'vpn', ['false']).code).toBe(1);
  });

  it('runs a second lab beside the first without collisions', () => {
    const up = mailctl(['lab', 'up', '--bare', '--name', OTHER], { timeoutMs: 600_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(status(OTHER).vpnHandshake).toBe(true);
    expect(status(LAB).state).toBe('running');
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', '10.100.0.1']).code).toBe(0);
    expect(mailctl(['lab', 'down', '--name', OTHER]).code).toBe(0);
    expect(leftovers(OTHER)).toEqual([]);
    expect(status(LAB).state).toBe('running');
  });

  it('comes back up after its PID 1 was killed with SIGKILL', () => {
    const state = JSON.parse(sh(`cat /var/lib/mailctl/lab/${LAB}/state.json`).stdout) as {
      initPid: number;
    };
    expect(sh(`kill -KILL ${state.initPid}`).code).toBe(0);
    sh('sleep 1');
    expect(status(LAB).state).toBe('stale');
    const up = mailctl(['lab', 'up', '--bare', '--name', LAB], { timeoutMs: 600_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(status(LAB).state).toBe('running');
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', '10.100.0.1']).code).toBe(0);
  });

  it('is left as it was by a failed first apply: no firewall table, no daemons started; the next apply converges', () => {
    const host = (cmd: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
      labRun(LAB, 'host', cmd, opts);
    const cluster = readFileSync(resolve(import.meta.dirname, '../../examples/cluster.yaml'));
    expect(
      host(['bash', '-c', 'mkdir -p /etc/mailctl && cat > /etc/mailctl/cluster.yaml'], {
        input: cluster.toString(),
      }).code,
    ).toBe(0);
    // A value the kernel refuses, which only activation finds: everything before it (the
    // firewall among them) is already live when the apply fails.
    const failed = host(
      [
        'env',
        'MAILCTL_TEST_HOOKS=1',
        'MAILCTL_TEST_FAULT=/etc/sysctl.d/90-mailctl-hardening.conf=net.ipv4.tcp_syncookies = banana',
        'mailctl',
        'apply',
      ],
      { timeoutMs: 1_200_000 },
    );
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('E_APPLY_ROLLED_BACK');
    expect(host(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).code).not.toBe(0);
    expect(host(['test', '-e', '/etc/systemd/system/mailctl-firewall.service']).code).toBe(1);
    expect(host(['systemctl', 'is-active', 'mailctl-firewall.service']).stdout.trim()).not.toBe(
      'active',
    );
    // The daemons the packages brought were not running before; they are not running now.
    for (const unit of ['postfix.service', 'dovecot.service', 'nginx.service'])
      expect(host(['systemctl', 'is-active', unit]).stdout.trim(), unit).not.toBe('active');
    expect(host(['ss', '-Htln', 'sport = :25']).stdout.trim()).toBe('');
    // The VPN the host had before apply is still up.
    expect(labRun(LAB, 'vpn', ['ping', '-c1', '-W2', '10.100.0.1']).code).toBe(0);

    const good = host(['mailctl', 'apply'], { timeoutMs: 1_200_000 });
    expect(good.code, good.stderr).toBe(0);
    expect(host(['nft', 'list', 'table', 'inet', 'mailctl_firewall']).stdout).toContain(
      'policy drop',
    );
    expect(host(['systemctl', 'is-active', 'postfix.service']).stdout.trim()).toBe('active');
    expect(host(['mailctl', 'apply']).stdout).toContain('No changes');
  }, 2_400_000);

  it('leaves nothing behind when it goes down', () => {
    expect(mailctl(['lab', 'down', '--name', LAB]).code).toBe(0);
    expect(leftovers(LAB)).toEqual([]);
    expect(status(LAB).state).toBe('stopped');
    const exec = labRun(LAB, 'host', ['true']);
    expect(exec.code).toBe(2);
    expect(exec.stderr).toMatch(/E_LAB_DOWN/);
  });

  it('refuses a bad lab name with a one-line error', () => {
    const r = mailctl(['lab', 'up', '--name', 'Bad-Name']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('E_LAB_NAME');
  });
});
