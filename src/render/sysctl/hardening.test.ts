import { describe, expect, it } from 'vitest';
import { NETWORK_SYSCTLS, renderSysctl } from './hardening.js';

describe('renderSysctl', () => {
  const [file] = renderSysctl();

  it('renders the sysctl.d file as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/90-mailctl-hardening.conf');
  });

  it('sets network keys strictly and lets machine-wide keys be skipped where not ours', () => {
    const text = file?.content ?? '';
    expect(NETWORK_SYSCTLS.get('net.ipv4.conf.all.rp_filter')).toBe('1');
    expect(text).toContain('\nnet.ipv4.tcp_syncookies = 1\n');
    // '-': systemd-sysctl may skip a key this kernel lacks (Yama) without failing.
    expect(text).toContain('\n-kernel.kptr_restrict = 2\n');
    expect(text).toContain('\n-kernel.dmesg_restrict = 1\n');
    expect(text).not.toMatch(/^-net\.ipv4/m);
  });
});
