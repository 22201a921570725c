import { describe, expect, it } from 'vitest';
import { renderWireguardClientConfig, type WireguardClientConfigInput } from './client-config.js';

const input: WireguardClientConfigInput = {
  clientPrivateKey: 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=',
  clientAddress: '10.100.0.2',
  serverPublicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
  endpoint: { host: 'mail.example.com', port: 51820 },
  vpnSubnet: '10.100.0.0/24',
};

describe('renderWireguardClientConfig', () => {
  it('renders a split-tunnel client config as in the golden file', async () => {
    await expect(renderWireguardClientConfig(input)).toMatchFileSnapshot('golden/client.conf');
  });

  it('sets resolvers only when asked, and brackets an IPv6 endpoint', () => {
    const c = renderWireguardClientConfig({
      ...input,
      endpoint: { host: '2001:db8::10', port: 51820 },
      dns: ['10.100.0.1', 'mail.internal'],
    });
    expect(c).toContain('DNS = 10.100.0.1, mail.internal\n');
    expect(c).toContain('Endpoint = [2001:db8::10]:51820\n');
    expect(renderWireguardClientConfig(input)).not.toContain('DNS');
  });

  it('routes only the VPN subnet through the tunnel', () => {
    expect(renderWireguardClientConfig(input)).toMatch(/^AllowedIPs = 10\.100\.0\.0\/24$/m);
    expect(() => renderWireguardClientConfig({ ...input, vpnSubnet: '10.100.0.1' })).toThrow();
  });
});
