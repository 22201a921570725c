/**
 * The Ansible playbook (ansible/mailctl.yml) on the inventory `mailctl provision ansible`
 * writes from the cluster file, run for real by Debian's ansible-core on this
 * machine from the lab's VPN client, over SSH to the host's VPN address with a key made here
 * and the host's own key pinned: the way an administrator who already runs Ansible reaches
 * a mail host whose SSH answers on the VPN only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRun, mailctl, sh, uniqueTag } from './support/cli.js';
import { VPN } from './support/lab-world.js';
import { useSharedLab } from './support/shared-lab.js';

const PLAYBOOK = resolve(import.meta.dirname, '../../ansible/mailctl.yml');
const BUNDLE = resolve(import.meta.dirname, '../../dist/mailctl.mjs');
const CLUSTER = '/etc/mailctl/cluster.yaml';

interface Recap {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
}

describe('the Ansible playbook', () => {
  let lab = '';
  let work = '';
  let original = '';
  let originalMode = '';
  const keyComment = uniqueTag('ansible-test-');
  const onHost = (script: string, input?: string) =>
    labRun(lab, 'host', ['bash', '-c', script], input === undefined ? {} : { input });
  const hostSum = () => onHost(`sha256sum ${CLUSTER}`).stdout.split(' ')[0];

  /**
   * ansible-playbook from the VPN client, as docs/install.md shows it (the bundle from the
   * playbook's default, dist/mailctl.mjs); the recap of the one host, and its output.
   */
  const playbook = (clusterFile: string | undefined, extra: string[] = []) => {
    const r = labRun(
      lab,
      'vpn',
      [
        'env',
        'ANSIBLE_NOCOLOR=1',
        `ANSIBLE_LOCAL_TEMP=${join(work, 'tmp')}`,
        'ansible-playbook',
        '-i',
        join(work, 'inventory.yml'),
        PLAYBOOK,
        // The host key pinned: the test's own known_hosts, not this machine's.
        '-e',
        `ansible_ssh_common_args='-o UserKnownHostsFile=${join(work, 'known_hosts')} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'`,
        ...(clusterFile ? ['-e', `mailctl_cluster_file=${clusterFile}`] : []),
        ...extra,
      ],
      { timeoutMs: 300_000 },
    );
    const line = /^mx1\s+:\s+(.*)$/m.exec(r.stdout)?.[1] ?? '';
    const n = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(line)?.[1] ?? NaN);
    const recap: Recap = {
      ok: n('ok'),
      changed: n('changed'),
      failed: n('failed'),
      unreachable: n('unreachable'),
    };
    return { ...r, recap, out: r.stdout + r.stderr };
  };

  beforeAll(() => {
    lab = useSharedLab();
    work = mkdtempSync(join(tmpdir(), 'mailctl-ansible-'));
    const key = join(work, 'id_ed25519');
    expect(sh(`ssh-keygen -q -t ed25519 -N '' -C ${keyComment} -f ${key}`).code).toBe(0);
    const auth = onHost(
      'install -d -m 700 /root/.ssh && cat >> /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
      readFileSync(`${key}.pub`, 'utf8'),
    );
    expect(auth.code, auth.stderr).toBe(0);
    // The host's key pinned, as an administrator takes it from the first boot's console.
    const hostKey = onHost('cut -d" " -f1,2 /etc/ssh/ssh_host_ed25519_key.pub').stdout.trim();
    expect(hostKey).toMatch(/^ssh-ed25519 /);
    writeFileSync(join(work, 'known_hosts'), `${VPN} ${hostKey}\n`);
    original = onHost(`cat ${CLUSTER}`).stdout;
    writeFileSync(join(work, 'cluster.yaml'), original);
    // The inventory as docs/install.md makes it: from the cluster file, with the test's key.
    const inv = mailctl([
      'provision',
      'ansible',
      '--out',
      work,
      '--cluster',
      join(work, 'cluster.yaml'),
      '--bundle',
      BUNDLE,
      '--ssh-key',
      key,
    ]);
    expect(inv.code, inv.stderr).toBe(0);
    expect(original).toContain('hosts:');
    originalMode = onHost(`stat -c %a ${CLUSTER}`).stdout.trim();
    // The host as the file says (a file before this one may have left a runtime change
    // apply undoes): the playbook's first apply then has only the playbook's change to make.
    const converge = onHost(`mailctl apply --cluster ${CLUSTER}`);
    expect(converge.code, converge.stderr).toBe(0);
  }, 1_800_000);

  afterAll(() => {
    // Content and mode: the playbook installs the file 0600, other files read it as nobody.
    if (original) onHost(`cat > ${CLUSTER} && chmod ${originalMode || '644'} ${CLUSTER}`, original);
    if (lab)
      onHost(
        `grep -v ' ${keyComment}$' /root/.ssh/authorized_keys > /root/.ssh/ak.new; ` +
          'mv /root/.ssh/ak.new /root/.ssh/authorized_keys; chmod 600 /root/.ssh/authorized_keys',
      );
    rmSync(work, { recursive: true, force: true });
  });

  it('in check mode says what apply would change, and changes nothing', () => {
    const file = join(work, 'quota.yaml');
    writeFileSync(file, original.replace(/default_quota: \S+/, 'default_quota: 3G'));
    const before = hostSum();
    const r = playbook(file, ['--check']);
    expect(r.recap, r.out).toMatchObject({ failed: 0, unreachable: 0, changed: 1 });
    expect(r.stdout).toContain('"empty": false');
    expect(hostSum()).toBe(before);
    // The temporary copy is gone (libpam-tmpdir puts root's in /tmp/user/0).
    expect(onHost("find /tmp -name 'ansible.*.yaml' | wc -l").stdout.trim()).toBe('0');
  });

  it('installs the cluster file and applies it, then reports no change on a second run', () => {
    // A comment only: the file changes, the host's configuration does not.
    // The file the inventory names: no -e needed.
    writeFileSync(join(work, 'cluster.yaml'), `${original}# managed with Ansible\n`);
    const first = playbook(undefined);
    expect(first.recap, first.out).toMatchObject({ failed: 0, unreachable: 0, changed: 1 });
    expect(first.out).toMatch(/TASK \[The cluster file\] \*+\nchanged: \[mx1\]/);
    expect(onHost(`cat ${CLUSTER}`).stdout).toBe(`${original}# managed with Ansible\n`);
    const second = playbook(undefined);
    expect(second.recap, second.out).toMatchObject({ failed: 0, unreachable: 0, changed: 0 });
    expect(second.recap.ok).toBeGreaterThanOrEqual(5);
  });

  it('refuses a cluster file mailctl refuses, before it reaches the host', () => {
    const file = join(work, 'broken.yaml');
    writeFileSync(file, original.replace(/default_quota: \S+/, 'default_quota: lots'));
    const before = hostSum();
    const r = playbook(file);
    expect(r.recap, r.out).toMatchObject({ failed: 1, unreachable: 0 });
    expect(r.out).toContain('default_quota');
    expect(hostSum()).toBe(before);
  });
});
