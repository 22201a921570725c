import { readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  inReleaseUrl,
  openpgpFingerprint,
  renderWazuhPreferences,
  WAZUH_REPOSITORY,
} from './apt-source.js';
import { renderWazuh } from './component.js';
import type { WazuhContext } from './context.js';
import { DEFAULT_WAZUH_THRESHOLDS } from './rules.js';

const w: WazuhContext = {
  manager: '10.100.0.50',
  port: 1514,
  enrollmentPort: 1515,
  agentName: 'mx1',
  groups: ['mail'],
  repository: WAZUH_REPOSITORY,
  thresholds: DEFAULT_WAZUH_THRESHOLDS,
};
const files = new Map(renderWazuh(w).map((f) => [f.path, f]));
const content = (path: string) => files.get(path)?.content ?? '';

describe('renderWazuh', () => {
  it('renders the agent configuration, the apt source and pin as in the golden files', async () => {
    await expect(content('/var/ossec/etc/ossec.conf')).toMatchFileSnapshot('golden/ossec.conf');
    await expect(content('/etc/apt/sources.list.d/wazuh.sources')).toMatchFileSnapshot(
      'golden/wazuh.sources',
    );
    await expect(content('/etc/apt/preferences.d/wazuh.pref')).toMatchFileSnapshot(
      'golden/wazuh.pref',
    );
  });

  it('writes an ossec.conf that is well-formed XML', () => {
    expect(XMLValidator.validate(content('/var/ossec/etc/ossec.conf'))).toBe(true);
  });

  it('sends events and enrollment to the manager on the VPN, with the password from the secrets', () => {
    const conf = content('/var/ossec/etc/ossec.conf');
    expect(conf).toContain('<address>10.100.0.50</address>');
    expect(conf).toContain('<manager_address>10.100.0.50</manager_address>');
    expect(conf).toContain('<authorization_pass_path>etc/authd.pass</authorization_pass_path>');
    expect(conf).toContain('<groups>mail</groups>');
    const pass = files.get('/var/ossec/etc/authd.pass');
    expect(pass).toMatchObject({ mode: 0o640, owner: 'root', group: 'wazuh' });
    expect(pass?.content).toBe('@@secret:wazuh-authd-pass@@\n');
  });

  it('reads the journal per unit and the daemons own log files', () => {
    const conf = content('/var/ossec/etc/ossec.conf');
    for (const unit of ['postfix@-\\.service', 'dovecot\\.service', 'wg-quick@wg0\\.service'])
      expect(conf).toContain(`<filter field="_SYSTEMD_UNIT">^${unit}$</filter>`);
    for (const log of [
      '/var/log/sogo/sogo.log',
      '/var/log/rspamd/rspamd.log',
      '/var/log/fail2ban.log',
    ])
      expect(conf).toContain(`<location>${log}</location>`);
    expect(conf).toMatch(
      /<location>\/var\/log\/mailctl\/health\.jsonl<\/location>\n\s*<log_format>json<\/log_format>/,
    );
  });

  it('watches the mail configuration and the DKIM keys, and never sends a diff of them', () => {
    const conf = content('/var/ossec/etc/ossec.conf');
    expect(conf).toContain(
      '<directories check_all="yes" realtime="yes">/etc/mailctl,/etc/postfix,/etc/dovecot,/var/lib/rspamd/dkim</directories>',
    );
    expect(conf).not.toMatch(/report_changes="yes"/);
    expect(conf).toMatch(/<rootcheck>\n\s*<disabled>no<\/disabled>/);
  });

  it('leaves the decoders and rules for the manager under /etc/mailctl/wazuh', () => {
    expect(content('/etc/mailctl/wazuh/local_decoder.xml')).toContain('<decoder name="dovecot">');
    expect(content('/etc/mailctl/wazuh/local_rules.xml')).toContain('<rule id="100900"');
  });

  it('takes nothing but the agent from a mirror it is given', () => {
    const pref = renderWazuhPreferences('https://mirror.example.net/wazuh/4.x/apt/');
    expect(pref).toContain('Package: *\nPin: origin mirror.example.net\nPin-Priority: -1');
    expect(pref).toContain(
      'Package: wazuh-agent\nPin: origin mirror.example.net\nPin-Priority: 500',
    );
    expect(inReleaseUrl('https://mirror.example.net/wazuh/4.x/apt/')).toBe(
      'https://mirror.example.net/wazuh/4.x/apt/dists/stable/InRelease',
    );
  });
});

describe('openpgpFingerprint', () => {
  // A throwaway key made with GnuPG for this test; gpg --fingerprint printed this value.
  const key = readFileSync(new URL('testdata/test-key.asc', import.meta.url), 'utf8');

  it("computes the primary key's fingerprint as GnuPG does", () => {
    expect(openpgpFingerprint(key)).toBe('3153E2147CD0244BC5E5AEA19515B22ED2638682');
  });

  it('finds none in anything else', () => {
    expect(openpgpFingerprint('<html>404 Not Found</html>')).toBeUndefined();
    expect(openpgpFingerprint(key.replace(/^mQ/m, 'tC'))).toBeUndefined();
  });
});
