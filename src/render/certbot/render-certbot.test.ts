import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { CERTBOT_DEPLOY_HOOK_PATH, CERTBOT_DROPIN_PATH } from './paths.js';
import { renderCertbot } from './render-certbot.js';

const acme = { directoryUrl: 'https://acme.example.org:14000/dir', email: 'a@example.com' };
const withCa = testHostContext({
  tls: { ...testHostContext().tls, acme: { ...acme, caFile: '/etc/mailctl/lab-acme-ca.pem' } },
});
const publicCa = testHostContext({ tls: { ...testHostContext().tls, acme } });
const golden = (path: string) => `golden/${path.replace(/^\/etc\//, '').replaceAll('/', '_')}`;

describe('renderCertbot', () => {
  it('renders nothing for a self-signed host', () => {
    expect(renderCertbot(testHostContext())).toEqual([]);
  });

  it('renders the deploy hook and the timer environment as in the golden files', async () => {
    const files = renderCertbot(withCa);
    expect(files.map((f) => [f.path, f.mode.toString(8), f.component])).toEqual([
      [CERTBOT_DEPLOY_HOOK_PATH, '755', 'certbot'],
      [CERTBOT_DROPIN_PATH, '644', 'certbot'],
    ]);
    for (const f of files) await expect(f.content).toMatchFileSnapshot(golden(f.path));
  });

  it('installs only the host name’s lineage, to the paths the services read, then reloads them', () => {
    const hook = renderCertbot(withCa)[0]?.content ?? '';
    expect(hook).toMatch(/^#!\/bin\/sh\n/);
    expect(hook).toContain('[ "${lineage##*/}" = "mail.example.com" ] || exit 0');
    expect(hook).toContain(
      'mv -f "/etc/mailctl/tls/mail.example.com.crt.new" "/etc/mailctl/tls/mail.example.com.crt"',
    );
    expect(hook).toContain('for unit in postfix.service dovecot.service nginx.service; do');
  });

  it('trusts a private CA only when the cluster file names one', () => {
    expect(renderCertbot(withCa)[1]?.content).toContain(
      'Environment=REQUESTS_CA_BUNDLE=/etc/mailctl/lab-acme-ca.pem',
    );
    expect(renderCertbot(publicCa)[1]?.content).not.toContain('REQUESTS_CA_BUNDLE');
  });
});
