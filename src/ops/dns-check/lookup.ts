import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { UserError } from '../../util/errors.js';

/** Answers of one lookup; `error` when the resolver failed rather than said "no such record". */
export interface Answer {
  values: string[];
  error?: string;
}

/** Lookups through one resolver: the host's (/etc/resolv.conf) or the one named. */
export interface Lookups {
  values(name: string, type: string): Promise<Answer>;
  reverse(address: string): Promise<Answer>;
}

const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);
const TIMEOUT_MS = 3_000;

async function answer(query: () => Promise<string[]>): Promise<Answer> {
  try {
    return { values: await query() };
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    return NO_RECORD.has(code) ? { values: [] } : { values: [], error: code };
  }
}

/**
 * Node's resolver has no TLSA query before Node 22, and Debian 13 ships Node 20: one
 * question over UDP, encoded and decoded with dns-packet.
 */
function queryTlsa(server: string, name: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server) === 6 ? 'udp6' : 'udp4');
    const id = randomInt(1, 65_535);
    const timer = setTimeout(() => {
      socket.close();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
    }, TIMEOUT_MS);
    socket.on('message', (msg) => {
      const reply = dnsPacket.decode(msg);
      if (reply.id !== id) return;
      clearTimeout(timer);
      socket.close();
      const rcode = (reply as { rcode?: string }).rcode;
      if (rcode && rcode !== 'NOERROR' && rcode !== 'NXDOMAIN')
        return reject(Object.assign(new Error(rcode), { code: rcode }));
      resolve(
        (reply.answers ?? []).flatMap((a) =>
          a.type === 'TLSA'
            ? [
                `${a.data.usage} ${a.data.selector} ${a.data.matchingType} ${a.data.certificate.toString('hex')}`,
              ]
            : [],
        ),
      );
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    });
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'TLSA', name }],
    });
    socket.send(query, 53, server);
  });
}

/** The address of a server as Resolver.getServers() lists it ('a.b.c.d', '[v6]:port' ...). */
function serverAddress(entry: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(entry);
  if (v6?.[1]) return v6[1];
  return isIP(entry) ? entry : (entry.split(':')[0] ?? entry);
}

export function resolverLookups(resolverAddress?: string): Lookups {
  const resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 2 });
  if (resolverAddress !== undefined) {
    if (!isIP(resolverAddress))
      throw new UserError('E_USAGE', `--resolver: ${resolverAddress} is not an IP address`);
    resolver.setServers([resolverAddress]);
  }
  const server = serverAddress(resolver.getServers()[0] ?? '127.0.0.1');
  return {
    values(name, type) {
      switch (type) {
        case 'A':
          return answer(() => resolver.resolve4(name));
        case 'AAAA':
          return answer(() => resolver.resolve6(name));
        case 'CNAME':
          return answer(() => resolver.resolveCname(name));
        case 'MX':
          return answer(async () =>
            (await resolver.resolveMx(name)).map((m) => `${m.priority} ${m.exchange}`),
          );
        case 'TXT':
          return answer(async () => (await resolver.resolveTxt(name)).map((c) => c.join('')));
        case 'TLSA':
          return answer(() => queryTlsa(server, name));
        default:
          return Promise.resolve({ values: [], error: `no lookup for type ${type}` });
      }
    },
    reverse(address) {
      return answer(() => resolver.reverse(address));
    },
  };
}
