import { describe, expect, it } from 'vitest';
import { renderCoreDumpLimits } from './index.js';

describe('renderCoreDumpLimits', () => {
  const files = renderCoreDumpLimits();
  const at = (path: string) => files.find((f) => f.path === path)?.content ?? '';

  it('renders the limits.d and system.conf.d files as in the golden files', async () => {
    await expect(at('/etc/security/limits.d/mailctl-core-dumps.conf')).toMatchFileSnapshot(
      'golden/limits.d_mailctl-core-dumps.conf',
    );
    await expect(at('/etc/systemd/system.conf.d/mailctl-core-dumps.conf')).toMatchFileSnapshot(
      'golden/system.conf.d_mailctl-core-dumps.conf',
    );
  });

  it('sets the hard limit to 0 for logins and the default for services', () => {
    expect(at('/etc/security/limits.d/mailctl-core-dumps.conf')).toMatch(/^\*\thard\tcore\t0$/m);
    expect(at('/etc/systemd/system.conf.d/mailctl-core-dumps.conf')).toContain(
      '[Manager]\nDefaultLimitCORE=0\n',
    );
  });
});
