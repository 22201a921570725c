/**
 * Wazuh reads its rule and decoder files with its own XML reader (os_xml), which passes
 * element text through as written: it decodes no entities, so `&lt;` in a regex would reach
 * PCRE2 as four characters. The files mailctl renders therefore never need one: a regex
 * says `\x3c`, `\x3e` and `\x26` for <, > and &, and plain text avoids them. That keeps
 * each file well-formed for any XML parser and read alike by Wazuh's.
 */
const FORBIDDEN = /[<>&]/;

/** Element text for a Wazuh file; throws on a character os_xml would misread (a bug here). */
export function wazuhText(text: string, what: string): string {
  if (FORBIDDEN.test(text))
    throw new Error(`${what} contains <, > or &, which Wazuh's XML reader cannot take: ${text}`);
  return text;
}

/** An XML comment; `--` may not occur inside one. */
export function xmlComment(text: string, indent = ''): string {
  if (text.includes('--')) throw new Error(`an XML comment may not contain '--': ${text}`);
  return `${indent}<!-- ${text} -->`;
}
