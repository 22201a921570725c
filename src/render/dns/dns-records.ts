import { dkimPublicKeyBase64 } from './dkim-key.js';
import { isIpv6 } from './ip-addresses.js';

/** The DKIM key of one domain, as Rspamd signs with it. */
export interface DkimPublicKey {
  /** The selector: the record lives at <selector>._domainkey.<domain>. */
  selector: string;
  /** Base64 SPKI of the RSA key (as `rspamadm dkim_keygen` prints it), or the whole p= value. */
  publicKey: string;
}

export interface DnsRecordsInput {
  /** Mail domains, lower-case. */
  domains: readonly string[];
  /** The mail host's FQDN: the MX target, Postfix myhostname. */
  fqdn: string;
  /** The host's public IPv4 and IPv6 addresses, from which it sends and receives. */
  publicAddresses: readonly string[];
  /** DKIM key per domain; a domain without one (no key generated yet) gets no DKIM record. */
  dkim: Readonly<Record<string, DkimPublicKey>>;
  /** Mailbox for DMARC aggregate reports (rua); omitted, DMARC asks for none. */
  dmarcRua?: string;
  /**
   * The id of the MTA-STS policy the host serves (render/mta-sts), when it serves one with
   * a certificate senders can verify (tls.mode acme); omitted, no MTA-STS record.
   */
  mtaStsPolicyId?: string;
  /**
   * SHA-256 of the public key (SubjectPublicKeyInfo, hex) of the certificate port 25
   * presents: the DANE TLSA record; omitted when the host has no certificate yet.
   */
  tlsaSpkiSha256?: string;
  /** TTL of every record, seconds. */
  ttl?: number;
}

/** One record to publish: the `--json` form of `mailctl dns`. */
export interface DnsRecord {
  /** The zone the record belongs to: a mail domain, or the zone holding the host name. */
  domain: string;
  /** Owner name, fully qualified, without the trailing dot. */
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TLSA' | 'TXT';
  ttl: number;
  /** RDATA in presentation form without trailing dots; TXT as one unquoted, unsplit string. */
  value: string;
  /** Why the record exists and why it says what it says. */
  comment: string;
}

export const DEFAULT_DNS_TTL = 3600;

/** The zone that holds `fqdn`: the longest mail domain it falls in, else its parent name. */
export function hostZone(fqdn: string, domains: readonly string[]): string {
  const inside = domains.filter((d) => fqdn === d || fqdn.endsWith(`.${d}`));
  const longest = inside.sort((a, b) => b.length - a.length)[0];
  return longest ?? fqdn.slice(fqdn.indexOf('.') + 1);
}

/** The SPF policy shared by the mail domains and the host name. */
export function spfValue(publicAddresses: readonly string[]): string {
  if (publicAddresses.length === 0) return 'v=spf1 mx -all';
  const mechanisms = publicAddresses.map((a) => `${isIpv6(a) ? 'ip6' : 'ip4'}:${a}`);
  return `v=spf1 ${mechanisms.join(' ')} -all`;
}

const SPF_WHY =
  'ip4/ip6 rather than "mx": receivers need no further lookups (SPF allows ten per check), ' +
  'and the policy stays right if the MX ever points at a backup or a filtering service ' +
  'that must not send for the domain. "-all" (fail) rather than "~all": every message ' +
  'leaves through this host DKIM-signed, so mail that a third party forwards fails SPF ' +
  'but still passes DMARC on its signature. Should a receiver reject forwarded mail on ' +
  'the SPF fail alone, before it looks at DKIM, "~all" is the softer choice.';

/**
 * Every record the domains need, in a stable order: the host's own records first (in the
 * zone holding its name), then per domain MX, SPF, DKIM, DMARC, and report authorizations.
 */
export function listDnsRecords(input: DnsRecordsInput): DnsRecord[] {
  const ttl = input.ttl ?? DEFAULT_DNS_TTL;
  const { fqdn, domains } = input;
  const spf = spfValue(input.publicAddresses);
  const out: DnsRecord[] = [];
  const add = (
    domain: string,
    name: string,
    type: DnsRecord['type'],
    value: string,
    comment: string,
  ) => out.push({ domain, name, type, ttl, value, comment });

  const zone = hostZone(fqdn, domains);
  for (const a of input.publicAddresses) {
    add(
      zone,
      fqdn,
      isIpv6(a) ? 'AAAA' : 'A',
      a,
      `The mail host's ${isIpv6(a) ? 'IPv6' : 'IPv4'} address, where the MX name leads ` +
        'senders; the host also greets with this name (Postfix myhostname) and its TLS ' +
        'certificate is issued for it.' +
        (isIpv6(a)
          ? ' Publish it only if port 25 answers over IPv6: senders that try IPv6 first ' +
            'otherwise wait for a timeout on every delivery.'
          : ''),
    );
  }
  if (!domains.includes(fqdn)) {
    add(
      zone,
      fqdn,
      'TXT',
      spf,
      'SPF for the host name itself: bounces and other messages with an empty envelope ' +
        'sender are checked against the HELO name (RFC 7208 section 2.3), which is this one.',
    );
  }

  if (input.tlsaSpkiSha256) {
    add(
      zone,
      `_25._tcp.${fqdn}`,
      'TLSA',
      `3 1 1 ${input.tlsaSpkiSha256}`,
      'DANE (RFC 7672): senders that validate DNSSEC deliver to port 25 only over TLS with ' +
        'this key. 3 1 1 pins the public key of the certificate itself (DANE-EE), not a CA, ' +
        'so it holds for a self-signed certificate too, and across ACME renewals, which keep ' +
        'the key (certbot --reuse-key). It has an effect only in a DNSSEC-signed zone; ' +
        'publish it again, before the switch, if the key is ever replaced.',
    );
  }

  const rua = input.dmarcRua?.toLowerCase();
  const ruaDomain = rua?.slice(rua.lastIndexOf('@') + 1);
  for (const d of domains) {
    add(
      d,
      d,
      'MX',
      `10 ${fqdn}`,
      `Mail for ${d} is delivered to ${fqdn}. The preference 10 leaves room for a backup ` +
        'MX before or after it later; with one MX the number has no effect.',
    );
    add(
      d,
      d,
      'TXT',
      spf,
      `SPF: only this host's addresses may send mail with an envelope sender at ${d}. ${SPF_WHY}`,
    );
    const key = input.dkim[d];
    if (key) {
      const p = dkimPublicKeyBase64(key.publicKey, `dkim.${d}`);
      add(
        d,
        `${key.selector}._domainkey.${d}`,
        'TXT',
        `v=DKIM1; k=rsa; p=${p}`,
        `DKIM: the public half of the key Rspamd signs ${d}'s outbound mail with ` +
          `(d=${d}, s=${key.selector}); receivers fetch it to verify the signature. ` +
          'An RSA-2048 key is longer than one 255-byte TXT string, so the zone file splits ' +
          'it into several strings that receivers join without spaces; in a web form, ' +
          'enter it as one value without quotes.',
      );
    }
    add(
      d,
      `_dmarc.${d}`,
      'TXT',
      dmarcValue(rua),
      `DMARC: mail whose From is at ${d} but that carries neither a valid DKIM signature ` +
        `of ${d} nor an SPF pass for it should go to the spam folder. quarantine, not ` +
        'reject, while the setup is new: a mistake (a key not yet published, a mailing ' +
        'list that alters messages) then lands in spam, where it can be found, instead of ' +
        'bouncing; move to p=reject once the reports show only legitimate mail. p=none ' +
        'would only watch and protect nothing.' +
        (rua ? ` Daily aggregate reports from large receivers go to ${rua}.` : ''),
    );
  }
  for (const d of domains) {
    const tlsRua = rua ?? `postmaster@${d}`;
    add(
      d,
      `_smtp._tls.${d}`,
      'TXT',
      `v=TLSRPTv1; rua=mailto:${tlsRua}`,
      'TLS-RPT (RFC 8460): senders that check MTA-STS or DANE send a daily report of the ' +
        `TLS connections they made to ${d}'s MX, failures included, to ${tlsRua}.`,
    );
    if (input.mtaStsPolicyId) {
      add(
        d,
        `mta-sts.${d}`,
        'CNAME',
        fqdn,
        `Where senders fetch ${d}'s MTA-STS policy, over HTTPS: the host serves it, and its ` +
          'certificate covers this name once the name resolves (the next apply asks for it).',
      );
      add(
        d,
        `_mta-sts.${d}`,
        'TXT',
        `v=STSv1; id=${input.mtaStsPolicyId}`,
        `MTA-STS (RFC 8461): ${d} has a policy at https://mta-sts.${d}/.well-known/mta-sts.txt ` +
          'telling senders to deliver only over TLS with a valid certificate for the MX. ' +
          'The id changes whenever the policy does (mail.mta_sts in the cluster file), ' +
          'so senders fetch it again.',
      );
    }
    add(
      d,
      `autoconfig.${d}`,
      'CNAME',
      fqdn,
      'Thunderbird and other clients look here for their settings (autoconfiguration).',
    );
    add(
      d,
      `autodiscover.${d}`,
      'CNAME',
      fqdn,
      'Outlook looks here for its settings (autodiscover.xml).',
    );
  }
  // RFC 7489 section 7.1: a receiver sends a domain's reports to a mailbox in another
  // domain only if that domain publishes this authorization.
  if (ruaDomain && domains.includes(ruaDomain)) {
    for (const d of domains.filter((x) => x !== ruaDomain)) {
      add(
        ruaDomain,
        `${d}._report._dmarc.${ruaDomain}`,
        'TXT',
        'v=DMARC1',
        `${ruaDomain} agrees to receive the DMARC reports of ${d} (RFC 7489 section 7.1); ` +
          `without it receivers drop the rua address of ${d}'s DMARC record.`,
      );
    }
  }
  return out;
}

function dmarcValue(rua: string | undefined): string {
  return rua ? `v=DMARC1; p=quarantine; rua=mailto:${rua}` : 'v=DMARC1; p=quarantine';
}
