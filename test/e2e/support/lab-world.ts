import { LAB_NET } from '../../../src/lab/layout.js';

// The lab's addresses as the tests' clients see them, taken from the lab's own layout so
// that a test and the network it runs in cannot disagree.

/** The lab host's public addresses: what the internet reaches. */
export const PUBLIC = LAB_NET.hostPublic4;
export const PUBLIC6 = LAB_NET.hostPublic6;
/** The lab host's address inside the VPN. */
export const VPN = LAB_NET.hostVpn4;
/** The VPN client's own address inside the VPN. */
export const VPN_CLIENT = LAB_NET.vpnClient4;
/** The internet namespace's address on the host's link: every internet client comes from it. */
export const ATTACKER = LAB_NET.internetRouter4;
/** The VPN client's uplink, the address its WireGuard packets come from. */
export const VPN_CLIENT_UPLINK = LAB_NET.vpnClientWan4;

/** The mailboxes examples/cluster.yaml seeds, with the passwords the tests give them. */
export const ALICE = { user: 'alice@example.com', pass: 'correct horse battery staple 1' };
export const BOB = { user: 'bob@example.net', pass: 'correct horse battery staple 2' };
