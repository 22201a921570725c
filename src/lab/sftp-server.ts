import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { mustRun, run, sleep, spawnDetached } from '../util/exec.js';
import type { LabLayout } from './layout.js';
import { processAlive } from './state.js';

/** The lab world's off-site backup server, in the internet namespace (issue 11). */
export const LAB_BACKUP_HOST = 'backup.example.org';
/** Its one account: key-only, chrooted, SFTP only. */
export const LAB_SFTP_USER = 'mailbackup';
const SFTP_UID = 2001;
/** The repository directory as the chrooted account sees it. */
export const LAB_SFTP_PATH = '/repo';

/**
 * Where the off-site repositories live on this machine: outside every lab's state, so that
 * they outlive the lab that wrote them (`lab down`) and a fresh lab's server can serve
 * them to a restore (the disaster-recovery drill).
 */
export const LAB_OFFSITE_ROOT = '/var/lib/mailctl/lab-offsite';

export interface LabSftpFiles {
  /** The server's own root: an overlay of the lab root with openssh-server installed. */
  dir: string;
  /** Its configuration, host key and authorized keys, bound to /etc/ssh/lab inside. */
  etc: string;
  hostKey: string;
  authorizedKeys: string;
  pid: string;
  log: string;
  /** The directory it serves as LAB_SFTP_PATH. */
  data: string;
}

export function labSftpFiles(l: LabLayout, servedLab = l.name): LabSftpFiles {
  const dir = join(l.dirs.state, 'sftp');
  const etc = join(dir, 'etc');
  return {
    dir,
    etc,
    hostKey: join(etc, 'ssh_host_ed25519_key'),
    authorizedKeys: join(etc, 'authorized_keys'),
    pid: join(dir, 'sshd.pid'),
    log: join(dir, 'sshd.log'),
    data: join(LAB_OFFSITE_ROOT, servedLab),
  };
}

/**
 * sshd's own configuration (pure): keys only, one account, chrooted into the repository's
 * parent (ChrootDirectory must be root's), internal-sftp and nothing else.
 */
export function labSshdConfig(l: LabLayout): string {
  return [
    '# mailctl lab: the off-site backup server (SFTP only)',
    `ListenAddress ${l.net.internetRouter4}`,
    'Port 22',
    'HostKey /etc/ssh/lab/ssh_host_ed25519_key',
    'AuthorizedKeysFile /etc/ssh/lab/authorized_keys',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'UsePAM no',
    `AllowUsers ${LAB_SFTP_USER}`,
    'AllowTcpForwarding no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTTY no',
    // OpenSSH 10 refuses, for a while, an address whose logins failed: a host whose key is
    // not authorized yet (the first apply names it) would then be shut out after it is.
    'PerSourcePenalties no',
    'Subsystem sftp internal-sftp',
    `Match User ${LAB_SFTP_USER}`,
    '  ChrootDirectory /srv/offsite',
    '  ForceCommand internal-sftp',
    '',
  ].join('\n');
}

/**
 * Runs in private mount namespace inside the internet namespace: the lab root under an
 * overlay (the root itself never changes), openssh-server installed into the overlay from
 * the root's prefetched apt cache the first time (no network, no daemon started by the
 * package), the served directory bound into the chroot, then sshd in the foreground.
 */
const SERVER_SCRIPT = `
set -eu
R=$1 S=$2 DATA=$3 USER=$4 UID_=$5
mkdir -p "$S/upper" "$S/work" "$S/root"
mount -t overlay overlay -o "lowerdir=$R,upperdir=$S/upper,workdir=$S/work" "$S/root"
M=$S/root
mount -t proc proc "$M/proc"
mount --rbind /dev "$M/dev"
mount -t tmpfs tmpfs "$M/run"
mount -t tmpfs tmpfs "$M/tmp"
if [ ! -x "$M/usr/sbin/sshd" ]; then
  printf '#!/bin/sh\\nexit 101\\n' > "$M/usr/sbin/policy-rc.d"; chmod 755 "$M/usr/sbin/policy-rc.d"
  chroot "$M" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-download openssh-server
fi
# Password '*': no password, but not a locked account ('!'), which sshd refuses outright.
chroot "$M" sh -c "id -u $USER >/dev/null 2>&1 || useradd --uid $UID_ --home-dir / --no-create-home --shell /usr/sbin/nologin --password '*' $USER"
mkdir -p "$M/srv/offsite/repo" "$M/etc/ssh/lab" "$M/run/sshd"
chmod 755 "$M/srv/offsite" "$M/run/sshd"
mount --bind "$DATA" "$M/srv/offsite/repo"
mount --bind "$S/etc" "$M/etc/ssh/lab"
exec chroot "$M" /usr/sbin/sshd -D -e -f /etc/ssh/lab/sshd_config
`;

/**
 * (Re)starts the off-site backup server `backup.example.org` (sshd, port 22 on the internet
 * router's address). `servedLab` names whose off-site directory it serves: its own lab's
 * by default, another's for a restore drill on a fresh lab. Returns its PID once it answers.
 */
export async function startLabSftp(
  l: LabLayout,
  rootfsDir: string,
  servedLab = l.name,
): Promise<number> {
  const f = labSftpFiles(l, servedLab);
  await stopLabSftp(l);
  if (await sshAnswers(l))
    throw new UserError(
      'E_LAB_SFTP',
      `something else already listens on ${l.net.internetRouter4}:22 in the lab's internet namespace`,
    );
  await mkdir(f.etc, { recursive: true, mode: 0o755 });
  await chmod(f.dir, 0o755);
  await chmod(f.etc, 0o755);
  if (!existsSync(f.hostKey))
    await mustRun('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      LAB_BACKUP_HOST,
      '-f',
      f.hostKey,
    ]);
  if (!existsSync(f.authorizedKeys)) await writeFile(f.authorizedKeys, '', { mode: 0o644 });
  await writeFile(join(f.etc, 'sshd_config'), labSshdConfig(l), { mode: 0o644 });
  // The account owns the repository directory; its parent stays root's, as chroot needs.
  await mkdir(f.data, { recursive: true, mode: 0o700 });
  await chown(f.data, SFTP_UID, SFTP_UID);
  const pid = spawnDetached(
    'ip',
    [
      'netns',
      'exec',
      l.netns.internet,
      'unshare',
      '--mount',
      '--propagation',
      'private',
      // sshd is the namespace's PID 1: stopping it ends every session with it.
      '--pid',
      '--fork',
      '--kill-child',
      'bash',
      '-c',
      SERVER_SCRIPT,
      'lab-sftp',
      rootfsDir,
      f.dir,
      f.data,
      LAB_SFTP_USER,
      String(SFTP_UID),
    ],
    f.log,
  );
  await writeFile(f.pid, `${pid}\n`);
  // The first start installs openssh-server into the overlay (a minute at most).
  for (let i = 0; i < 1200; i++) {
    if (await sshAnswers(l)) return pid;
    if (!processAlive(pid)) break;
    await sleep(100);
  }
  const tail = (await readFile(f.log, 'utf8').catch(() => '')).trim().split('\n').slice(-5);
  throw new UserError(
    'E_LAB_SFTP',
    `the lab's off-site backup server did not answer on ${l.net.internetRouter4}:22 (see ${f.log}):\n  ${tail.join('\n  ')}`,
  );
}

/**
 * A fresh lab starts with an empty off-site directory of its own: what a lab of the same
 * name left there belongs to another host (its restic repository has another password).
 */
export async function resetLabOffsite(l: LabLayout): Promise<void> {
  await rm(labSftpFiles(l).data, { recursive: true, force: true });
}

async function sshAnswers(l: LabLayout): Promise<boolean> {
  const r = await run('ip', [
    'netns',
    'exec',
    l.netns.internet,
    'bash',
    '-c',
    `exec 3<>/dev/tcp/${l.net.internetRouter4}/22 && head -c 4 <&3`,
  ]);
  return r.code === 0 && r.stdout.startsWith('SSH-');
}

/** Stops the off-site backup server (its mounts go with its mount namespace). */
export async function stopLabSftp(l: LabLayout): Promise<void> {
  const f = labSftpFiles(l);
  const pid = Number((await readFile(f.pid, 'utf8').catch(() => '')).trim());
  if (processAlive(pid)) {
    // unshare --fork blocks SIGTERM while it waits for its child; SIGKILL ends it, and
    // --kill-child then takes sshd, PID 1 of its namespace, and every session with it.
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(50);
  }
  await rm(f.pid, { force: true });
  for (let i = 0; i < 100 && (await sshAnswers(l)); i++) await sleep(50);
}

/** The server's host key as a known_hosts/cluster-file line: `ssh-ed25519 AAAA...`. */
export async function labSftpHostKey(l: LabLayout): Promise<string> {
  const pub = await readFile(`${labSftpFiles(l).hostKey}.pub`, 'utf8');
  return pub.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** Lets a client key (`ssh-ed25519 AAAA... comment`) in; the file is sshd's AuthorizedKeysFile. */
export async function authorizeLabSftpKey(l: LabLayout, publicKey: string): Promise<void> {
  const f = labSftpFiles(l);
  const have = await readFile(f.authorizedKeys, 'utf8').catch(() => '');
  if (have.split('\n').includes(publicKey.trim())) return;
  await writeFile(f.authorizedKeys, `${have}${publicKey.trim()}\n`, { mode: 0o644 });
}
