/**
 * The first boot: the user data's shape, `cloud-init schema` from Debian 13 on it, and the
 * first-boot script run for real in the Debian 13 root against a bundle served on loopback
 * (the checker parts are skipped only where there is no checker root, as for the daemons).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { debian13Root, runInDebian13Root } from '../../test/support/debian13-root.js';
import { exampleClusterText, TEST_BUNDLE_URL } from '../../test/support/provision-input.js';
import type { RenderedFile } from '../render/types.js';
import { FIRST_BOOT_PATHS, renderCloudInit, sha256Hex } from './cloud-init.js';

const FAKE_BUNDLE = '#!/bin/sh\necho "fake mailctl: $*"\n';
const clusterFileText = exampleClusterText();

function userData(bundleUrl = TEST_BUNDLE_URL, bundleSha256 = sha256Hex(FAKE_BUNDLE)) {
  return renderCloudInit({ fqdn: 'mail.example.com', clusterFileText, bundleUrl, bundleSha256 });
}

interface CloudConfig {
  package_update: boolean;
  write_files: { path: string; permissions: string; content: string }[];
  runcmd: string[][];
}

/** The files cloud-init's write_files would put on the host, as the checker root stages them. */
function writtenFiles(text: string): RenderedFile[] {
  const doc = parse(text) as CloudConfig;
  return doc.write_files.map((f) => ({
    path: f.path,
    content: f.content,
    mode: Number.parseInt(f.permissions, 8),
    owner: 'root',
    group: 'root',
    component: 'cloud-init',
  }));
}

describe('the cloud-init user data', () => {
  it('is #cloud-config that updates apt, writes the cluster file as given and runs the first boot', () => {
    const text = userData();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const doc = parse(text) as CloudConfig;
    expect(doc.package_update).toBe(true);
    const script = doc.write_files.find((f) => f.path === FIRST_BOOT_PATHS.script)?.content;
    expect(script).toContain('apt-get install -y -q --no-install-recommends nodejs');
    const cluster = doc.write_files.find((f) => f.path === FIRST_BOOT_PATHS.clusterFile);
    expect(cluster?.content).toBe(clusterFileText);
    expect(cluster?.permissions).toBe('0600');
    expect(doc.runcmd).toEqual([[FIRST_BOOT_PATHS.script, TEST_BUNDLE_URL]]);
    const sums = doc.write_files.find((f) => f.path === FIRST_BOOT_PATHS.sums)?.content ?? '';
    expect(sums).toContain(`${sha256Hex(clusterFileText)}  ${FIRST_BOOT_PATHS.clusterFile}\n`);
  });

  it("fetches with Node's own fetch, its script quoted safely for the shell", async () => {
    const script = writtenFiles(userData()).find((f) => f.path === FIRST_BOOT_PATHS.script);
    const js = /^fetch='([^']*)'$/m.exec(script?.content ?? '')?.[1];
    expect(js).toBeDefined();
    const server = createServer((_req, res) => res.end(FAKE_BUNDLE));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const out = `${mkdtempSync('/tmp/mailctl-fetch-')}/bundle`;
    // Asynchronously, so that the loop stays free to serve the request.
    const child = spawn('node', [
      '--input-type=module',
      '-e',
      js ?? '',
      `http://127.0.0.1:${port}/m`,
      out,
    ]);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    server.close();
    expect(readFileSync(out, 'utf8')).toBe(FAKE_BUNDLE);
  });
});

const root = debian13Root('usr/bin/cloud-init', 'usr/bin/node');

describe.skipIf(!root)('the user data on Debian 13', () => {
  const check = (text: string) =>
    runInDebian13Root(
      root ?? '',
      [
        {
          path: '/tmp/user-data',
          content: text,
          mode: 0o644,
          owner: 'root',
          group: 'root',
          component: 'cloud-init',
        },
      ],
      ['cloud-init', 'schema', '--config-file', '/tmp/user-data'],
    );

  it('passes cloud-init schema, which refuses a broken one', () => {
    const good = check(userData());
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain('Valid schema');
    const bad = check(userData().replace('package_update: true', 'package_update: sometimes'));
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/package_update/);
  });

  // The script as runcmd runs it, with a bundle served on the namespace's loopback.
  const firstBoot = (served: string) => {
    const files = [
      ...writtenFiles(userData('http://127.0.0.1:8087/mailctl.mjs')),
      {
        path: '/srv/mailctl.mjs',
        content: served,
        mode: 0o644,
        owner: 'root',
        group: 'root',
        component: 'test',
      },
    ];
    const serveAndBoot =
      'cd /srv && python3 -m http.server --bind 127.0.0.1 8087 >/dev/null 2>&1 & ' +
      'for i in $(seq 50); do python3 -c "import socket; socket.create_connection((\'127.0.0.1\', 8087))" 2>/dev/null && break; sleep 0.1; done; ' +
      `${FIRST_BOOT_PATHS.script} http://127.0.0.1:8087/mailctl.mjs`;
    return runInDebian13Root(root ?? '', files, ['sh', '-c', serveAndBoot]);
  };

  it('installs the bundle it fetched and runs mailctl apply on the cluster file', () => {
    const r = firstBoot(FAKE_BUNDLE);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fake mailctl: apply --cluster ${FIRST_BOOT_PATHS.clusterFile}`);
    expect(r.stdout).toContain('mailctl first boot: done');
  });

  it('applies nothing when the bundle is not the one provision pinned', () => {
    const r = firstBoot(FAKE_BUNDLE.replace('fake', 'evil'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('mailctl first boot: FAILED: sha256 mismatch; nothing was applied');
    expect(r.stdout).not.toContain('mailctl:');
  });
});
