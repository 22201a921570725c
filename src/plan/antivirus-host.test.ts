import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { antivirusRemovalStep } from '../apply/steps/antivirus-removal.js';
import { LAB_CLAMAV_DATABASE } from '../lab/host-files.js';
import { clamdPing } from '../ops/health/clamd-probe.js';
import { healthChecks } from '../ops/health/checks.js';
import { CHECKER_PACKAGES, PREFETCH_PACKAGES } from '../lab/packages.js';
import { CLAMD_SOCKET } from '../render/clamav/index.js';
import { testHostContext } from '../render/test-host-context.js';
import { hostContextFromSpec, parseClusterFile } from '../spec/index.js';
import { clusterProblems, minimalCluster } from '../../test/support/cluster-text.js';
import { mailHostDesiredState, mailHostPackages } from './mail-host.js';

const ANTIVIRUS_CONF = '/etc/rspamd/local.d/antivirus.conf';
const withAntivirus = (value: string) => minimalCluster(`mail:\n  antivirus: ${value}\n`);

describe('mail.antivirus', () => {
  it('is none unless the cluster file asks for clamav', () => {
    expect(hostContextFromSpec(parseClusterFile(minimalCluster(), 't.yaml')).antivirus).toBe(
      undefined,
    );
    const on = hostContextFromSpec(parseClusterFile(withAntivirus('clamav'), 't.yaml'));
    expect(on.antivirus).toBe('clamav');
  });

  it('refuses a scanner it does not know, naming the field', () => {
    expect(clusterProblems(withAntivirus('sophos'))).toEqual([
      expect.stringMatching(/^mail\.antivirus: .*"none".*"clamav"/),
    ]);
  });
});

describe('a mail host with mail.antivirus: clamav', () => {
  const d = mailHostDesiredState(testHostContext({ antivirus: 'clamav' }), []);
  const names = d.components.map((c) => c.name);

  it('starts freshclam and clamd before Rspamd, which asks clamd', () => {
    expect(names.indexOf('clamav')).toBeGreaterThan(-1);
    expect(names.indexOf('clamav')).toBeLessThan(names.indexOf('rspamd'));
    expect(d.packages).toEqual(expect.arrayContaining(['clamav-daemon', 'clamav-freshclam']));
    expect(d.components.find((c) => c.name === 'clamav')?.units).toEqual([
      'clamav-freshclam.service',
      'clamav-daemon.socket',
      'clamav-daemon.service',
    ]);
  });

  it("has Rspamd refuse a virus through clamd's unix socket, each attachment scanned", () => {
    const conf = d.files.find((f) => f.path === ANTIVIRUS_CONF);
    expect(conf?.component).toBe('rspamd');
    for (const line of [
      'type = "clamav";',
      `servers = "${CLAMD_SOCKET}";`,
      'action = "reject";',
      'scan_mime_parts = true;',
      // Below clamd's StreamMaxLength (25M in Debian's clamd.conf).
      'max_size = 20971520;',
    ])
      expect(conf?.content).toContain(line);
  });

  it("lets clamd's start wait for a database instead of being skipped until the next boot", () => {
    const service = d.files.find((f) => f.path.includes('clamav-daemon.service.d/'))?.content;
    const socket = d.files.find((f) => f.path.includes('clamav-daemon.socket.d/'))?.content;
    expect(socket).toContain('[Unit]\nConditionPathExistsGlob=\n');
    expect(service).toContain('[Unit]\nConditionPathExistsGlob=\n');
    expect(service).toMatch(/^ExecStartPre=\/bin\/sh -c 'until find \/var\/lib\/clamav /m);
    expect(service).toContain('Restart=on-failure');
  });
});

describe("mailctl health's clamd check", () => {
  it('is there with the antivirus only', () => {
    const names = (ctx: Parameters<typeof healthChecks>[0]) => healthChecks(ctx).map((c) => c.name);
    expect(names(testHostContext({ antivirus: 'clamav' }))).toContain('clamd');
    expect(names(testHostContext())).not.toContain('clamd');
  });

  it('is critical when no clamd listens, saying that mail goes unscanned', async () => {
    const f = await clamdPing('/nonexistent/clamd.ctl', 1_000);
    expect(f.status).toBe('critical');
    expect(f.detail).toMatch(/ENOENT.*Rspamd delivers mail unscanned/);
  });
});

describe('a mail host without an antivirus', () => {
  const d = mailHostDesiredState(testHostContext(), []);

  it('has no ClamAV and no antivirus.conf, so apply removes them when it is turned off', async () => {
    expect(d.components.map((c) => c.name)).not.toContain('clamav');
    expect(d.packages.filter((p) => p.startsWith('clamav'))).toEqual([]);
    expect(d.files.filter((f) => /clamav|antivirus/.test(f.path))).toEqual([]);
    // Wanted: the removal step has nothing to observe.
    expect(await antivirusRemovalStep(true).observe()).toEqual([]);
  });

  it('keeps ClamAV out of the checker root, while the lab root has it at hand offline', () => {
    expect(mailHostPackages().filter((p) => p.startsWith('clamav'))).toEqual([]);
    expect(CHECKER_PACKAGES.filter((p) => p.startsWith('clamav'))).toEqual([]);
    expect(PREFETCH_PACKAGES).toEqual(
      expect.arrayContaining(['clamav-daemon', 'clamav-freshclam']),
    );
  });
});

describe("the lab's stand-in signature database", () => {
  it("is ClamAV's hash signature of the EICAR test file itself", () => {
    // Put together here, so that this source file itself is no match for a scanner.
    const eicar = [
      'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR',
      '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*',
    ].join('');
    const md5 = createHash('md5').update(eicar).digest('hex');
    expect(LAB_CLAMAV_DATABASE.content).toBe(`${md5}:${eicar.length}:Win.Test.EICAR_HDB-1\n`);
    expect(LAB_CLAMAV_DATABASE.path).toMatch(/^\/var\/lib\/clamav\/.*\.hdb$/);
  });
});
