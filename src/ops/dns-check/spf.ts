/**
 * SPF checks of a published policy (RFC 7208), pure except for the TXT lookups it is given.
 * Section 4.6.4: evaluating a policy may cause at most ten DNS lookups (include, a, mx,
 * ptr, exists, redirect), counted across nested includes; over that, receivers return
 * permerror and the policy protects nothing.
 */
export const SPF_LOOKUP_LIMIT = 10;

const MECHANISM =
  /^[+?~-]?(all|include:.+|a(:.+)?(\/\d+)?(\/\/\d+)?|mx(:.+)?(\/\d+)?(\/\/\d+)?|ptr(:.+)?|ip4:.+|ip6:.+|exists:.+)$/i;
const MODIFIER = /^(redirect|exp)=.+$/i;

/** Syntax problems of one SPF record (empty when none). */
export function spfSyntaxProblems(record: string): string[] {
  const [version, ...terms] = record.trim().split(/\s+/);
  const problems: string[] = [];
  if (version?.toLowerCase() !== 'v=spf1') problems.push('does not start with v=spf1');
  for (const t of terms) {
    if (!MECHANISM.test(t) && !MODIFIER.test(t)) problems.push(`unknown term "${t}"`);
  }
  return problems;
}

/** The terms of a record that cost a DNS lookup, with the domain an include/redirect names. */
function lookupTerms(record: string): { term: string; target?: string }[] {
  return record
    .trim()
    .split(/\s+/)
    .slice(1)
    .flatMap((t) => {
      const m = /^[+?~-]?(include:|redirect=)(.+)$/i.exec(t);
      if (m) return [{ term: t, target: m[2] }];
      return /^[+?~-]?(a|mx|ptr|exists)([:/]|$)/i.test(t) ? [{ term: t }] : [];
    });
}

/**
 * The DNS lookups evaluating `record` costs, following include and redirect through
 * `fetchSpf` (the SPF record of a domain, or undefined); stops once over the limit.
 */
export async function spfLookupCount(
  record: string,
  fetchSpf: (domain: string) => Promise<string | undefined>,
  depth = 0,
): Promise<number> {
  let count = 0;
  for (const { target } of lookupTerms(record)) {
    count += 1;
    if (count > SPF_LOOKUP_LIMIT || depth > SPF_LOOKUP_LIMIT) return count;
    if (target) {
      const nested = await fetchSpf(target);
      if (nested) count += await spfLookupCount(nested, fetchSpf, depth + 1);
    }
  }
  return count;
}
