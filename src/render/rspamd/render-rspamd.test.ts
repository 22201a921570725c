import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { DKIM_SIGNING_MAP, dkimKeyFile, renderDkimSigningMap } from './dkim-signing.js';
import { renderRspamd } from './index.js';
import { OWN_DOMAIN_CHECK_PATH } from './own-domain-check.js';
import { SENDER_CHECK_PATH } from './sender-check.js';

const file = (name: string) =>
  renderRspamd(testHostContext()).find((f) => f.path === `/etc/rspamd/local.d/${name}`)?.content ??
  '';

describe('renderRspamd', () => {
  it('speaks milter to Postfix on loopback only', () => {
    expect(file('worker-proxy.inc')).toContain('milter = yes;');
    expect(file('worker-proxy.inc')).toContain('bind_socket = "127.0.0.1:11332";');
    expect(file('worker-controller.inc')).toContain('bind_socket = "127.0.0.1:11334";');
  });

  it('takes its action thresholds from the cluster file', () => {
    expect(file('actions.conf')).toContain('reject = 15;\nadd_header = 6;\ngreylist = 4;');
  });

  it('signs the domains of the signing map mailctl keeps from the database, and no other', () => {
    const dkim = file('dkim_signing.conf');
    expect(dkim).toContain(`path_map = "file://${DKIM_SIGNING_MAP}";`);
    expect(dkim).toContain('try_fallback = false;');
    expect(dkim).toContain('sign_authenticated = true;');
    // Not the cluster file's domains: the map follows the database.
    expect(dkim).not.toContain('example.com');
    expect(dkim).not.toMatch(/^path = /m);
  });

  it('signs only for a logged-in user whose From: domain is its envelope sender domain', () => {
    const dkim = file('dkim_signing.conf');
    for (const line of [
      'sign_local = false;',
      'sign_inbound = false;',
      'allow_hdrfrom_mismatch = false;',
      'allow_hdrfrom_multiple = false;',
      'allow_envfrom_empty = false;',
    ])
      expect(dkim).toContain(line);
  });

  it('refuses a From: the login does not own in a prefilter that runs before the settings', async () => {
    const lua = renderRspamd(testHostContext()).find((f) => f.path === SENDER_CHECK_PATH);
    expect(lua?.path).toBe('/etc/rspamd/lua.local.d/mailctl-sender.lua');
    await expect(lua?.content).toMatchFileSnapshot('golden/mailctl-sender.lua');
    expect(lua?.content).toContain('priority = lua_util.symbols_priorities.top + 1,');
    expect(lua?.content).toContain(`url = 'file://${DKIM_SIGNING_MAP}',`);
  });

  it("applies the sender domain's DMARC policy: p=reject refuses, p=quarantine marks", () => {
    expect(file('dmarc.conf')).toMatch(
      /^actions \{\n {2}reject = "reject";\n {2}quarantine = "add_header";\n\}$/m,
    );
  });

  it('refuses outside mail claiming a hosted domain unless that domain signed it', async () => {
    const lua = renderRspamd(testHostContext()).find((f) => f.path === OWN_DOMAIN_CHECK_PATH);
    expect(lua?.path).toBe('/etc/rspamd/lua.local.d/mailctl-own-domains.lua');
    await expect(lua?.content).toMatchFileSnapshot('golden/mailctl-own-domains.lua');
    // It needs the DKIM verification's results, and the domains the database hosts.
    expect(lua?.content).toContain(
      "rspamd_config:register_dependency('MAILCTL_FORGED_OWN_DOMAIN', 'DKIM_CHECK')",
    );
    expect(lua?.content).toContain(`url = 'file://${DKIM_SIGNING_MAP}',`);
  });

  it('maps each domain of the signing map to its own key file', async () => {
    const map = renderDkimSigningMap(['example.net', 'example.info', 'example.net']);
    await expect(map).toMatchFileSnapshot('golden/dkim-signing.map');
    expect(map.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'example.info /var/lib/rspamd/dkim/example.info.mail.key',
      'example.net /var/lib/rspamd/dkim/example.net.mail.key',
    ]);
    expect(dkimKeyFile('example.info')).toBe('/var/lib/rspamd/dkim/example.info.mail.key');
  });

  it('limits each authenticated user with the ratelimit user bucket from the cluster file', async () => {
    const text = renderRspamd(testHostContext({ submissionLimit: { burst: 7, perHour: 30 } })).find(
      (f) => f.path.endsWith('/ratelimit.conf'),
    )?.content;
    await expect(text).toMatchFileSnapshot('golden/ratelimit.conf');
    expect(text).toContain('burst = 7;');
    expect(text).toContain('rate = "30 / 1h";');
  });

  it('guards the controller with a host secret, in a file only Rspamd can read', () => {
    const f = renderRspamd(testHostContext()).find((x) => x.path.endsWith('worker-controller.inc'));
    expect(f?.content).toContain('password = "@@secret:rspamd-controller-password@@";');
    expect(f?.content).toContain('secure_ip = "127.0.0.1";');
    expect([f?.mode.toString(8), f?.group]).toEqual(['640', '_rspamd']);
  });
});
