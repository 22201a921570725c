import { describe, expect, it } from 'vitest';
import { renderUnattended } from './apt-conf.js';

describe('renderUnattended', () => {
  const [file] = renderUnattended();

  it('renders the apt.conf.d file as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/52mailctl-unattended-upgrades');
  });

  it('installs security updates only: Debian default origins are cleared first', () => {
    const text = file?.content ?? '';
    expect(text).toContain('#clear Unattended-Upgrade::Origins-Pattern;');
    const origins = text.split('Origins-Pattern {')[1]?.split('};')[0] ?? '';
    expect(origins.match(/"[^"]+"/g)?.every((o) => o.includes('label=Debian-Security'))).toBe(true);
    expect(text).toContain('APT::Periodic::Unattended-Upgrade "1";');
  });

  it('lets security updates of packages whose conffiles mailctl writes go through, keeping ours', () => {
    const text = file?.content ?? '';
    expect(text).toContain('DPkg::Options {\n  "--force-confdef";\n  "--force-confold";\n};');
  });
});
