import { hasHostBits, isHostInNetwork, networkInfo } from '../util/ip-networks.js';
import type { Issue } from '../util/errors.js';
import { aliasLoopThrough, formatAliasLoop } from './alias-loops.js';
import type { Spec } from './schema.js';

/** Why an admin allow-list network is refused, or undefined when it is fine. */
export function adminNetworkProblem(cidr: string): string | undefined {
  const net = networkInfo(cidr);
  if (!net) return `${cidr} is not a network`;
  const v6 = net.family === 6;
  // An allow-list entry this wide is SSH open to the internet, which the firewall exists to prevent.
  if (net.bits < (v6 ? 16 : 8))
    return `${cidr} is too wide for an admin allow-list (at least /${v6 ? 16 : 8})`;
  // nftables refuses a prefix with host bits set; say so here, with the path, not at apply.
  if (hasHostBits(cidr)) return `${cidr} has host bits set (did you mean a /${v6 ? 128 : 32}?)`;
  return undefined;
}

/** Rules that span fields (pure); each issue names the path it is about. */
export function crossFieldIssues(spec: Spec): Issue[] {
  const issues: Issue[] = [];
  const dup = <T>(items: T[], key: (t: T) => string, path: (i: number) => string, what: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k))
        issues.push({
          path: path(i),
          message: `duplicate ${what} '${k}' (also at index ${seen.get(k)})`,
        });
      else seen.set(k, i);
    });
  };
  dup(
    spec.hosts,
    (h) => h.name,
    (i) => `hosts[${i}].name`,
    'host name',
  );
  const mailHosts = spec.hosts.filter((h) => h.roles.includes('mail'));
  if (mailHosts.length !== 1) {
    issues.push({
      path: 'hosts',
      message: `exactly one host must have the role mail (found ${mailHosts.length})`,
    });
  }
  spec.hosts.forEach((h, i) => {
    if (!isHostInNetwork(h.vpn_address, spec.vpn.subnet)) {
      issues.push({
        path: `hosts[${i}].vpn_address`,
        message: `${h.vpn_address} is not a host address inside vpn.subnet ${spec.vpn.subnet}`,
      });
    }
  });
  spec.vpn.peers.forEach((p, i) => {
    if (!isHostInNetwork(p.address, spec.vpn.subnet)) {
      issues.push({
        path: `vpn.peers[${i}].address`,
        message: `${p.address} is not a host address inside vpn.subnet ${spec.vpn.subnet}`,
      });
    }
  });
  const vpnMembers = [
    ...spec.hosts.map((h, i) => ({ a: h.vpn_address, path: `hosts[${i}].vpn_address` })),
    ...spec.vpn.peers.map((p, i) => ({ a: p.address, path: `vpn.peers[${i}].address` })),
  ];
  dup(
    vpnMembers,
    (m) => m.a,
    (i) => vpnMembers[i]?.path ?? 'vpn',
    'VPN address',
  );
  dup(
    spec.vpn.peers,
    (p) => p.name,
    (i) => `vpn.peers[${i}].name`,
    'peer name',
  );
  dup(
    spec.vpn.peers,
    (p) => p.public_key,
    (i) => `vpn.peers[${i}].public_key`,
    'public key',
  );
  dup(
    spec.domains,
    (d) => d.name,
    (i) => `domains[${i}].name`,
    'domain',
  );

  spec.domains.forEach((d, i) => {
    dup(
      d.mailboxes,
      (m) => m.local_part,
      (j) => `domains[${i}].mailboxes[${j}].local_part`,
      'mailbox',
    );
    const boxes = new Set(d.mailboxes.map((m) => `${m.local_part}@${d.name}`));
    d.aliases.forEach((a, j) => {
      const domain = a.source.slice(a.source.lastIndexOf('@') + 1);
      if (domain !== d.name) {
        issues.push({
          path: `domains[${i}].aliases[${j}].source`,
          message: `${a.source} is not in the domain ${d.name} it is listed under`,
        });
      }
      if (boxes.has(a.source)) {
        issues.push({
          path: `domains[${i}].aliases[${j}].source`,
          message: `${a.source} is a mailbox; an alias cannot shadow it`,
        });
      }
    });
    dup(
      d.aliases,
      (a) => a.source,
      (j) => `domains[${i}].aliases[${j}].source`,
      'alias',
    );
  });

  issues.push(...aliasLoopIssues(spec), ...sendAsIssues(spec));

  spec.ssh.admin_allow.forEach((cidr, i) => {
    const problem = adminNetworkProblem(cidr);
    if (problem) issues.push({ path: `ssh.admin_allow[${i}]`, message: problem });
  });
  spec.fail2ban.admin_addresses.forEach((cidr, i) => {
    const problem = adminNetworkProblem(cidr);
    if (problem) issues.push({ path: `fail2ban.admin_addresses[${i}]`, message: problem });
  });

  issues.push(...wazuhIssues(spec));

  const s = spec.mail.spam;
  if (!(s.greylist < s.add_header && s.add_header < s.reject)) {
    issues.push({
      path: 'mail.spam',
      message: `thresholds must rise: greylist (${s.greylist}) < add_header (${s.add_header}) < reject (${s.reject})`,
    });
  }
  return issues;
}

/** The Wazuh manager is another member of the VPN: its traffic goes through the tunnel. */
function wazuhIssues(spec: Spec): Issue[] {
  const manager = spec.monitoring.wazuh?.manager;
  if (manager === undefined) return [];
  const path = 'monitoring.wazuh.manager';
  if (!isHostInNetwork(manager, spec.vpn.subnet))
    return [
      { path, message: `${manager} is not a host address inside vpn.subnet ${spec.vpn.subnet}` },
    ];
  const host = spec.hosts.find((h) => h.vpn_address === manager);
  if (host)
    return [
      { path, message: `${manager} is the VPN address of host ${host.name}, not a manager's` },
    ];
  return [];
}

/**
 * A send-as grant stays inside this file's domains: those are the ones whose DKIM key signs
 * what the grantee sends, and whose SPF names this host; a foreign address would leave
 * unsigned, and fail DMARC at every receiver.
 */
function sendAsIssues(spec: Spec): Issue[] {
  const domains = new Set(spec.domains.map((d) => d.name));
  const issues: Issue[] = [];
  spec.domains.forEach((d, i) =>
    d.mailboxes.forEach((m, j) => {
      const seen = new Set<string>();
      (m.send_as ?? []).forEach((grant, k) => {
        const path = `domains[${i}].mailboxes[${j}].send_as[${k}]`;
        const domain = grant.slice(grant.lastIndexOf('@') + 1);
        if (!domains.has(domain))
          issues.push({
            path,
            message: `${grant} is not in a domain of this file (${[...domains].join(', ')}); only those are signed here`,
          });
        if (seen.has(grant)) issues.push({ path, message: `duplicate send_as grant '${grant}'` });
        seen.add(grant);
      });
    }),
  );
  return issues;
}

/** Declared aliases that lead back to themselves, each loop reported once. */
function aliasLoopIssues(spec: Spec): Issue[] {
  const graph = {
    aliases: new Map(spec.domains.flatMap((d) => d.aliases.map((a) => [a.source, a.destinations]))),
    mailboxes: new Set(
      spec.domains.flatMap((d) => d.mailboxes.map((m) => `${m.local_part}@${d.name}`)),
    ),
  };
  const reported = new Set<string>();
  const issues: Issue[] = [];
  spec.domains.forEach((d, i) =>
    d.aliases.forEach((a, j) => {
      if (reported.has(a.source)) return;
      const loop = aliasLoopThrough(graph, a.source);
      if (!loop) return;
      loop.forEach((address) => reported.add(address));
      issues.push({
        path: `domains[${i}].aliases[${j}].destinations`,
        message: `the aliases form a loop (${formatAliasLoop(loop)}); Postfix could never deliver it`,
      });
    }),
  );
  return issues;
}
