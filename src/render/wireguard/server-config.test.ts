import { describe, expect, it } from 'vitest';
import { secretRefsIn } from '../host-context.js';
import { renderWireguard, type WireguardPeer } from './server-config.js';

const ctx = { vpnAddress: '10.100.0.1', vpnSubnet: '10.100.0.0/24', vpnPort: 51820 };
const peers: WireguardPeer[] = [
  {
    name: 'alice-laptop',
    publicKey: 'gtCY/hbc9vb0aKNM6JD5hbxqJxmA5wcIqCbJd/Q9WiY=',
    address: '10.100.0.2',
  },
  {
    name: 'bob-phone',
    publicKey: 'epFZeLlfe+VTWtzi7wr3jV74ngsnyRYZBkIlpwFD0Hk=',
    address: '10.100.0.3',
  },
];

describe('renderWireguard', () => {
  const [conf, dropin] = renderWireguard(ctx, peers);

  it('renders wg0.conf and the userspace drop-in as in the golden files', async () => {
    await expect(conf?.content).toMatchFileSnapshot('golden/wg0.conf');
    await expect(dropin?.content).toMatchFileSnapshot('golden/userspace.conf');
    expect(conf).toMatchObject({ path: '/etc/wireguard/wg0.conf', mode: 0o600, owner: 'root' });
    expect(dropin?.path).toBe('/etc/systemd/system/wg-quick@.service.d/userspace.conf');
  });

  it('keeps the private key out of the file, as a secret token', () => {
    expect(secretRefsIn(conf?.content ?? '')).toEqual(['wireguard-private-key']);
  });

  it('takes the address prefix from the subnet and gives each peer one address', () => {
    const c = renderWireguard({ ...ctx, vpnSubnet: '10.100.0.0/16' }, peers)[0]?.content;
    expect(c).toContain('Address = 10.100.0.1/16\n');
    expect(c).toContain('AllowedIPs = 10.100.0.3/32\n');
  });

  it('guards an IPv6 VPN with an ip6 rule and its peers with /128', () => {
    const c = renderWireguard(
      { vpnAddress: 'fd00:100::1', vpnSubnet: 'fd00:100::/64', vpnPort: 51820 },
      [{ name: 'v6', publicKey: 'K', address: 'fd00:100::2' }],
    )[0]?.content;
    expect(c).toContain('Address = fd00:100::1/64\n');
    expect(c).toContain('ip6 daddr fd00:100::/64 drop');
    expect(c).toContain('AllowedIPs = fd00:100::2/128\n');
  });

  it('renders a host with no peers yet, and refuses names that would inject lines', () => {
    expect(renderWireguard(ctx, [])[0]?.content).not.toContain('[Peer]');
    expect(() => renderWireguard(ctx, [{ ...peers[0]!, name: 'x\n[Peer]' }])).toThrow(/line break/);
    expect(() => renderWireguard({ ...ctx, vpnSubnet: '10.100.0.0' }, [])).toThrow(/CIDR/);
  });
});
