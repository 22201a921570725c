import { existsSync } from 'node:fs';
import { run } from '../util/exec.js';
import { hostExecArgv } from './exec.js';
import { labLayout, type LabLayout } from './layout.js';
import { processAlive, readLabState } from './state.js';

export interface LabStatus {
  name: string;
  state: 'running' | 'stopped' | 'stale';
  fqdn?: string;
  systemState?: string;
  failedUnits?: string[];
  vpnHandshake?: boolean;
  rootfsKey?: string;
  startedAt?: string;
  addresses: {
    public4: string;
    public6: string;
    vpn: string;
    vpnClient: string;
  };
  namespaces: LabLayout['netns'];
}

export async function labStatus(name: string): Promise<LabStatus> {
  const l = labLayout(name);
  const state = await readLabState(name);
  const base = {
    name,
    addresses: {
      public4: l.net.hostPublic4,
      public6: l.net.hostPublic6,
      vpn: l.net.hostVpn4,
      vpnClient: l.net.vpnClient4,
    },
    namespaces: l.netns,
  };
  if (!state || !processAlive(state.initPid)) {
    const leftovers = state !== undefined || existsSync(`/run/netns/${l.netns.host}`);
    return { ...base, state: leftovers ? 'stale' : 'stopped' };
  }
  const inHost = async (cmd: string[]) => {
    const argv = hostExecArgv(state, cmd);
    return run(argv[0] ?? 'nsenter', argv.slice(1), { timeoutMs: 10_000 });
  };
  const sys = await inHost(['systemctl', 'is-system-running']);
  const failed = await inHost([
    'systemctl',
    'list-units',
    '--state=failed',
    '--plain',
    '--no-legend',
    '--no-pager',
  ]);
  const hs = await run('ip', [
    'netns',
    'exec',
    l.netns.vpn,
    'wg',
    'show',
    l.vpnClientInterface,
    'latest-handshakes',
  ]);
  const handshakeAt = Number(hs.stdout.trim().split(/\s+/)[1] ?? 0);
  return {
    ...base,
    state: 'running',
    fqdn: state.fqdn,
    systemState: sys.stdout.trim(),
    failedUnits: failed.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean),
    vpnHandshake: handshakeAt > 0,
    rootfsKey: state.rootfsKey,
    startedAt: state.startedAt,
  };
}
