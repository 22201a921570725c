import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { NGINX_VPN_INCLUDE_DIR } from './paths.js';
import { renderNginx } from './render-nginx.js';

const files = renderNginx(testHostContext());
const golden = (path: string) => `golden/${path.replace(/^\/etc\//, '').replaceAll('/', '_')}`;
const content = (suffix: string) => files.find((f) => f.path.endsWith(suffix))?.content ?? '';

describe('renderNginx', () => {
  it('renders every file as in the golden files (refresh: npm run golden:update)', async () => {
    for (const f of files) await expect(f.content).toMatchFileSnapshot(golden(f.path));
  });

  it('lists its files, all root-owned, all for the nginx component', () => {
    expect(files.map((f) => [f.path, f.mode.toString(8), `${f.owner}:${f.group}`])).toEqual([
      ['/etc/nginx/nginx.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/acme-http.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/public-https.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/mta-sts.txt', '644', 'root:root'],
      ['/etc/nginx/mailctl/vpn-https.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/headers-public.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/headers-vpn.conf', '644', 'root:root'],
      ['/etc/nginx/mailctl/vpn.d/rspamd.conf', '644', 'root:root'],
      ['/etc/systemd/system/nginx.service.d/mailctl.conf', '644', 'root:root'],
    ]);
    expect(new Set(files.map((f) => f.component))).toEqual(new Set(['nginx']));
    expect(renderNginx(testHostContext())).toEqual(files);
  });

  it('loads only its own servers, not Debian default site', () => {
    const conf = content('/nginx.conf');
    expect(conf).not.toMatch(/sites-enabled|conf\.d/);
    expect(conf).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(conf).toContain('ssl_certificate /etc/mailctl/tls/mail.example.com.crt;');
  });

  it('listens on port 80 and the public 443 on the public addresses only', () => {
    for (const name of ['acme-http.conf', 'public-https.conf']) {
      const listens = [...content(name).matchAll(/^\s*listen (\S+)/gm)].map((m) => m[1]);
      const port = name === 'acme-http.conf' ? 80 : 443;
      const servers = name === 'acme-http.conf' ? 1 : 2; // 443: the host's, and mta-sts.*
      const pair = [`192.0.2.10:${port}`, `[2001:db8::10]:${port}`];
      expect(listens).toEqual(Array.from({ length: servers }, () => pair).flat());
    }
    const http = content('acme-http.conf');
    expect(http).toContain('location ^~ /.well-known/acme-challenge/ {');
    expect(http).toContain('return 301 https://mail.example.com$request_uri;');
    expect(http.match(/^\s*location /gm)).toHaveLength(2);
  });

  it('serves the internal side on the VPN address only, with an allow-list, and includes vpn.d', () => {
    const vpn = content('vpn-https.conf');
    expect([...vpn.matchAll(/^\s*listen (\S+)/gm)].map((m) => m[1])).toEqual(['10.100.0.1:443']);
    expect(vpn).toContain('allow 10.100.0.0/24;\n    deny all;');
    expect(vpn).toContain(`include ${NGINX_VPN_INCLUDE_DIR}/*.conf;`);
    expect(content('vpn.d/rspamd.conf')).toContain('proxy_pass http://127.0.0.1:11334/;');
    for (const name of ['acme-http.conf', 'public-https.conf'])
      expect(content(name)).not.toMatch(/rspamd|vpn\.d|10\.100\./);
  });

  it('serves the MTA-STS policy as text/plain on mta-sts.<any domain> only', () => {
    const servers = content('public-https.conf').split(/^server \{$/m);
    const sts = servers.find((s) => s.includes('server_name ~^mta-sts\\.;')) ?? '';
    expect(sts).toContain('location = /.well-known/mta-sts.txt {');
    expect(sts).toContain('default_type text/plain;');
    expect(sts).toContain('alias /etc/nginx/mailctl/mta-sts.txt;');
    expect(sts).not.toContain('default_server');
    expect(content('/mta-sts.txt')).toContain('mx: mail.example.com\r\n');
  });

  it('sets the security headers on both https sides', () => {
    for (const h of [content('headers-public.conf'), content('headers-vpn.conf')]) {
      expect(h).toContain('Strict-Transport-Security');
      expect(h).toContain('X-Content-Type-Options "nosniff"');
      expect(h).toContain('X-Frame-Options');
      expect(h).toContain('Referrer-Policy');
    }
    expect(content('headers-public.conf')).toContain("default-src 'none'");
  });

  it('offers mail clients the settings that work from where they ask, for every domain', () => {
    const pub = content('public-https.conf');
    const vpn = content('vpn-https.conf');
    for (const side of [pub, vpn]) {
      for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml'])
        expect(side).toContain(`location = ${path} {`);
      for (const d of ['example.com', 'example.org'])
        expect(side).toContain(`<domain>${d}</domain>`);
      expect(side).toContain('<port>587</port><socketType>STARTTLS</socketType>');
      expect(side).toContain('<Type>SMTP</Type>');
    }
    // IMAP and POP3 answer only inside the VPN: only the VPN side offers them.
    expect(vpn).toContain('<port>993</port><socketType>SSL</socketType>');
    expect(vpn).toContain('<port>995</port><socketType>SSL</socketType>');
    expect(vpn).toContain('<Type>IMAP</Type>');
    expect(pub).not.toContain('incomingServer');
    expect(pub).not.toContain('<Type>IMAP</Type>');
    expect(pub).toContain('<documentation url="https://mail.example.com/">');
  });

  it('refuses a value that would inject configuration', () => {
    expect(() => renderNginx(testHostContext({ fqdn: 'mail.example.com; root /' }))).toThrow(
      /fqdn/,
    );
    expect(() => renderNginx(testHostContext({ vpnAddress: '10.100.0.1:443; listen 0' }))).toThrow(
      /listen address/,
    );
  });
});
