import { describe, expect, it } from 'vitest';
import { renderModprobeBlacklist } from './blacklist.js';

describe('renderModprobeBlacklist', () => {
  const [file] = renderModprobeBlacklist();

  it('renders the modprobe.d file as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/mailctl-blacklist.conf');
  });

  it('both blacklists and refuses to load each module', () => {
    for (const m of ['dccp', 'sctp', 'rds', 'tipc', 'usb-storage', 'firewire-core']) {
      expect(file?.content).toContain(`\nblacklist ${m}\n`);
      expect(file?.content).toContain(`\ninstall ${m} /bin/false\n`);
    }
  });
});
