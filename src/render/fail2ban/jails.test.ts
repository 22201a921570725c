import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderFail2ban } from './component.js';
import { fail2banIgnoreIp, fail2banVpnIgnoreIp, renderFail2banJails } from './jails.js';

const ctx = testHostContext();

describe('renderFail2ban', () => {
  it('renders the jails and settings as in the golden files', async () => {
    const [jails, settings] = renderFail2ban(ctx);
    await expect(jails?.content).toMatchFileSnapshot('golden/jail.local');
    await expect(settings?.content).toMatchFileSnapshot('golden/fail2ban.d_mailctl.local');
  });

  it('never bans loopback, the VPN, the admin allow-list or the admin addresses', () => {
    expect(fail2banIgnoreIp(ctx)).toEqual([
      '127.0.0.0/8',
      '::1',
      '10.100.0.0/24',
      '192.0.2.0/28',
      '2001:db8:beef::/48',
      '10.100.0.9/32',
    ]);
  });

  it('bans VPN devices in the VPN jails, but never loopback, the host itself or the admin addresses', () => {
    // The host's own VPN address: SOGo's IMAP logins and submissions come from it.
    expect(fail2banVpnIgnoreIp(ctx)).toEqual([
      '127.0.0.0/8',
      '::1',
      '10.100.0.1/32',
      '192.0.2.0/28',
      '2001:db8:beef::/48',
      '10.100.0.9/32',
    ]);
    const text = renderFail2banJails(ctx);
    for (const jail of ['dovecot-vpn', 'mailctl-sogo-vpn']) {
      const body = text.split(`[${jail}]\n`)[1]?.split('\n\n')[0] ?? '';
      expect(body).toContain('enabled = true\n');
      expect(body).toContain(`ignoreip = ${fail2banVpnIgnoreIp(ctx).join(' ')}\n`);
      expect(body).toMatch(/^bantime = 600\nfindtime = 600\nmaxretry = (10|20)$/m);
    }
  });

  it('enables the SMTP AUTH, Dovecot, SSH and recidive jails with nftables bans', () => {
    const text = renderFail2banJails(ctx);
    for (const jail of [
      'postfix-sasl',
      'dovecot',
      'dovecot-vpn',
      'sshd',
      'nginx-http-auth',
      'nginx-bad-request',
      'mailctl-sogo-vpn',
      'recidive',
    ])
      expect(text).toMatch(new RegExp(`\\[${jail}\\]\\nenabled = true`));
    expect(text).toContain('filter = postfix[mode=auth]');
    expect(text).toContain('banaction = nftables[type=multiport]');
  });

  it('takes the ban parameters from the cluster file', () => {
    const text = renderFail2banJails({
      ...ctx,
      fail2ban: { ...ctx.fail2ban, bantime: 30, findtime: 120, maxretry: 3 },
    });
    expect(text).toContain('bantime = 30\nfindtime = 120\nmaxretry = 3\n');
  });
});
