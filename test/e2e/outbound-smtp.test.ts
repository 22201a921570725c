/**
 * `mailctl health`'s outbound port 25 check (issue 13): Vultr drops port 25 to the internet
 * on new accounts, and the host then receives mail but cannot send. Here the host's own
 * nftables drops it the same way (a table of the test's, removed after), and the lab
 * world's MX for example.org (cluster file: monitoring.outbound_probe) is the far end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRun } from './support/cli.js';
import { startOutsideMx } from './support/outside-mx.js';
import { useSharedLab } from './support/shared-lab.js';

const TABLE = 'mailctl_e2e_out25';

interface Report {
  checks: { name: string; status: string; detail: string }[];
}

describe('mailctl health: outbound port 25', () => {
  let lab = '';
  let sink: ReturnType<typeof startOutsideMx> | undefined;
  const onHost = (cmd: string[], input?: string) =>
    labRun(lab, 'host', cmd, input === undefined ? {} : { input });
  const outbound = () => {
    const r = onHost(['mailctl', 'health', '--json']);
    const report = JSON.parse(r.stdout) as Report;
    return { code: r.code, check: report.checks.find((c) => c.name === 'outbound-25') };
  };
  const unblock = () => onHost(['sh', '-c', `nft delete table inet ${TABLE} 2>/dev/null; true`]);

  beforeAll(() => {
    lab = useSharedLab();
    sink = startOutsideMx(lab);
  });

  afterAll(() => {
    if (lab) unblock();
    sink?.stop();
  });

  it("is ok while the outside world's MX answers on port 25", () => {
    const { check } = outbound();
    expect(check?.status, check?.detail).toBe('ok');
    expect(check?.detail).toMatch(/^mx\.example\.org:25 \(MX of example\.org\) answered: 220 /);
  });

  it('warns when port 25 out is dropped, as Vultr does, and is ok again once it is not', () => {
    // Every outbound connection to port 25 but the host's own (Postfix's loopback, the
    // health probes of its own public address, which go over lo).
    const blocked = onHost(
      ['nft', '-f', '-'],
      `table inet ${TABLE} {\n  chain output {\n    type filter hook output priority 0; policy accept;\n` +
        '    oifname != "lo" tcp dport 25 drop\n  }\n}\n',
    );
    expect(blocked.code, blocked.stderr).toBe(0);
    const { code, check } = outbound();
    expect(check?.status, check?.detail).toBe('warning');
    expect(check?.detail).toContain(
      'mx.example.org:25 (MX of example.org) did not answer within 8 s',
    );
    expect(check?.detail).toContain('Vultr');
    expect(code).toBeGreaterThanOrEqual(1);
    unblock();
    expect(outbound().check?.status).toBe('ok');
  });
});
