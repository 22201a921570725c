/**
 * The first boot of a host made by `mailctl provision terraform`, on a bare lab host: Debian
 * 13's cloud-init, installed from the lab's prefetched packages, boots it from a NoCloud seed
 * made of exactly the user data the Terraform module carries; nothing else is run on the
 * host, and then mail sent from the internet is read back over the VPN.
 *
 * A bare lab of its own ('e2eboot'), in the sequence of files that boot their own labs; no
 * other file may share a bare host. 13 minutes with the lab, the install and the first apply
 * on a machine busy with six labs (2026-12-07).
 * MAILCTL_E2E_BARE_LAB=<name> uses a lab brought up with `mailctl lab up --bare --name
 * <name>` instead (and uses it up: it is a mail host afterwards).
 * The lab's systemd booted before cloud-init was installed, so the test starts the
 * boot's cloud-init units itself (`systemctl start cloud-init.target`, after the generator
 * has found the seed), in the order a boot runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/provision/index.js';
import { LAB_NET } from '../../src/lab/layout.js';
import { exampleClusterText } from '../support/provision-input.js';
import { labRun, labSh, mailctl, uniqueTag } from './support/cli.js';
import { VPN } from './support/lab-world.js';
import { imapFetchAll, smtpFromInternet, testMessage } from './support/mail.js';

const REUSE = process.env.MAILCTL_E2E_BARE_LAB;
const LAB = REUSE ?? 'e2eboot';
const PORT = 8087;
const URL = `http://${LAB_NET.internetRouter4}:${PORT}/mailctl.mjs`;
const BUNDLE = resolve(import.meta.dirname, '../../dist/mailctl.mjs');

describe("the first boot from the Terraform module's user data (NoCloud)", () => {
  const work = mkdtempSync(join(tmpdir(), 'mailctl-first-boot-'));
  let server: ChildProcess | undefined;
  let userData = '';
  /** sha256 of the bundle as served: the build may be redone while the file runs. */
  let bundleSha = '';
  const host = (script: string, timeoutMs = 120_000) => labSh(LAB, 'host', script, timeoutMs);

  beforeAll(() => {
    // The bundle as a release would serve it, from the lab's internet side.
    const www = join(work, 'www');
    mkdirSync(www);
    if (!REUSE) {
      const up = mailctl(['lab', 'up', '--bare', '--name', LAB], { timeoutMs: 1_800_000 });
      expect(up.code, up.stderr).toBe(0);
    }
    copyFileSync(BUNDLE, join(www, 'mailctl.mjs'));
    bundleSha = sha256Hex(readFileSync(join(www, 'mailctl.mjs')));
    server = spawn(
      'ip',
      [
        'netns',
        'exec',
        `mailctl-${LAB}-inet`,
        'python3',
        '-m',
        'http.server',
        '--bind',
        LAB_NET.internetRouter4,
        String(PORT),
        '--directory',
        www,
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(work, 'cluster.yaml'), exampleClusterText());
    const made = mailctl([
      'provision',
      'terraform',
      '--out',
      join(work, 'infra'),
      '--cluster',
      join(work, 'cluster.yaml'),
      '--bundle',
      join(www, 'mailctl.mjs'),
      '--bundle-url',
      URL,
    ]);
    expect(made.code, made.stderr).toBe(0);
    userData = readFileSync(join(work, 'infra', 'mx1.cloud-init.yaml'), 'utf8');

    // A bare Debian 13 as a cloud image is: no mailctl, no nodejs; cloud-init installed.
    const prepared = host(
      'set -e; rm -f /usr/local/bin/mailctl; export DEBIAN_FRONTEND=noninteractive; ' +
        'apt-get remove -y -q nodejs >/dev/null; ' +
        'apt-get install -y -q --no-install-recommends cloud-init >/dev/null; ' +
        'mkdir -p /var/lib/cloud/seed/nocloud; ' +
        'printf "instance-id: mx1-first-boot\\nlocal-hostname: mail\\n" > /var/lib/cloud/seed/nocloud/meta-data; ' +
        // The lab wires the host's network from outside; on a VPS Vultr's datasource does.
        'printf "network: {config: disabled}\\n" > /etc/cloud/cloud.cfg.d/99-lab-network.cfg',
      300_000,
    );
    expect(prepared.code, prepared.stderr).toBe(0);
    const seeded = labRun(
      LAB,
      'host',
      ['sh', '-c', 'cat > /var/lib/cloud/seed/nocloud/user-data'],
      {
        input: userData,
      },
    );
    expect(seeded.code, seeded.stderr).toBe(0);
    // /run is empty at a boot: the generator runs ds-identify afresh and finds the seed.
    const booted = host(
      'rm -rf /run/cloud-init && systemctl daemon-reload && ' +
        'test -e /run/systemd/generator.early/multi-user.target.wants/cloud-init.target && ' +
        'systemctl start --no-block cloud-init.target',
    );
    expect(booted.code, booted.stdout + booted.stderr).toBe(0);
    const finished = host(
      'for i in $(seq 240); do cloud-init status | grep -q "status: running\\|status: not started" || exit 0; sleep 5; done; exit 1',
      1_260_000,
    );
    expect(finished.code, 'cloud-init did not finish within 20 minutes').toBe(0);
  }, 1_800_000);

  afterAll(() => {
    server?.kill();
    if (!REUSE) mailctl(['lab', 'down', '--name', LAB]);
    rmSync(work, { recursive: true, force: true });
  });

  it('booted from exactly the user data of the module', () => {
    const seed = labRun(LAB, 'host', ['sha256sum', '/var/lib/cloud/seed/nocloud/user-data']);
    expect(seed.stdout.split(' ')[0]).toBe(sha256Hex(userData));
    const status = labRun(LAB, 'host', ['cloud-init', 'status', '--long']);
    expect(status.stdout).toContain('DataSourceNoCloud');
  });

  it('finished without errors, and says so where cloud-init status and the journal show it', () => {
    const status = labRun(LAB, 'host', ['cloud-init', 'status', '--format', 'json']);
    const s = JSON.parse(status.stdout) as { status: string; errors: unknown[] };
    expect(s.status).toBe('done');
    expect(s.errors).toEqual([]);
    const log = host('journalctl -b --no-pager -o cat | grep "mailctl first boot:"');
    expect(log.stdout).toContain('mailctl first boot: done');
  });

  it('installed nodejs and the bundle the module pinned, and converged the host', () => {
    const bin = labRun(LAB, 'host', ['sha256sum', '/usr/local/bin/mailctl']);
    expect(bin.stdout.split(' ')[0]).toBe(bundleSha);
    expect(host('dpkg-query -W -f "\\${Status}" nodejs').stdout).toBe('install ok installed');
    const plan = labRun(LAB, 'host', ['mailctl', 'plan'], { timeoutMs: 300_000 });
    expect(plan.stdout).toContain('No changes');
  });

  it('receives mail from the internet that the mailbox reads back over the VPN', () => {
    expect(mailctl(['lab', 'dns', '--name', LAB]).code).toBe(0);
    const tag = uniqueTag('firstboot');
    const sent = smtpFromInternet(
      LAB,
      'demo@example.com',
      testMessage('someone@example.org', 'demo@example.com', tag),
    );
    expect(sent.codes.end).toBe(250);
    const pass = labRun(LAB, 'host', [
      'cat',
      '/etc/mailctl/secrets/mailbox-demo@example.com',
    ]).stdout.trim();
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      const r = imapFetchAll(LAB, 'vpn', VPN, 'demo@example.com', pass);
      expect(r.loginOk).toBe(true);
      found = r.messages.some((m) => m.includes(tag));
      if (!found) host('sleep 1');
    }
    expect(found).toBe(true);
  });
});
