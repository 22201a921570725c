import { UserError } from '../../util/errors.js';

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toDotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * The lowest free host address of an IPv4 subnet (pure). The network and broadcast
 * addresses are never handed out; `used` holds the host's own address and every peer's.
 */
export function nextFreeAddress(subnet: string, used: readonly string[]): string {
  const [net, bitsText] = subnet.split('/');
  const bits = Number(bitsText);
  if (
    !net ||
    !/^\d+\.\d+\.\d+\.\d+$/.test(net) ||
    !Number.isInteger(bits) ||
    bits < 8 ||
    bits > 30
  ) {
    throw new UserError(
      'E_VPN_SUBNET',
      `VPN subnet ${subnet} is not an IPv4 network this tool can allocate in`,
    );
  }
  const size = 2 ** (32 - bits);
  const base = toInt(net) - (toInt(net) % size);
  const taken = new Set(used.map(toInt));
  for (let n = base + 1; n < base + size - 1; n++) {
    if (!taken.has(n)) return toDotted(n);
  }
  throw new UserError('E_VPN_FULL', `no free address left in the VPN subnet ${subnet}`);
}
