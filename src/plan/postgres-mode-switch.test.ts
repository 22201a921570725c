import { describe, expect, it } from 'vitest';
import { testHostContext } from '../render/test-host-context.js';
import { postgresModeSwitchProblem } from './postgres-mode-switch.js';

describe('postgresModeSwitchProblem', () => {
  const ctx = testHostContext();
  const native = ctx;
  const container = { postgres: { ...ctx.postgres, mode: 'container' as const } };

  it("refuses a mode whose data directory is empty while the other mode's holds the cluster", () => {
    expect(postgresModeSwitchProblem(container, { native: true, container: false })).toMatch(
      /^postgres\.mode is container, but this host's database is the native mode's \(\/var\/lib\/postgresql\/17\/main\), and \/opt\/postgres\/data holds none: .*set postgres\.mode back to native, or move the data yourself: dump the mailctl database \(pg_dump\)/,
    );
    expect(postgresModeSwitchProblem(native, { native: false, container: true })).toMatch(
      /^postgres\.mode is native, but this host's database is the container mode's \(\/opt\/postgres\/data\), and \/var\/lib\/postgresql\/17\/main holds none/,
    );
  });

  it('lets a fresh host, a host in its own mode and a host already moved be', () => {
    for (const facts of [
      { native: false, container: false },
      { native: true, container: true },
    ]) {
      expect(postgresModeSwitchProblem(native, facts)).toBeUndefined();
      expect(postgresModeSwitchProblem(container, facts)).toBeUndefined();
    }
    expect(postgresModeSwitchProblem(native, { native: true, container: false })).toBeUndefined();
    expect(
      postgresModeSwitchProblem(container, { native: false, container: true }),
    ).toBeUndefined();
  });
});
