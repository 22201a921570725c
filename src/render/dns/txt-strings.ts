/** A TXT character-string holds at most 255 bytes (RFC 1035 section 3.3.14: one length octet). */
export const TXT_STRING_MAX_BYTES = 255;

/**
 * Splits a TXT value into character-strings of at most 255 bytes. Receivers concatenate
 * them without separators (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2), so the cut
 * may fall anywhere, even inside the base64 of a key. Cuts never split a UTF-8 sequence.
 */
export function splitTxtValue(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + TXT_STRING_MAX_BYTES, bytes.length);
    // Back off continuation bytes (10xxxxxx) so the cut lands on a character boundary.
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts.length > 0 ? parts : [''];
}

/** One character-string in zone-file syntax: double-quoted, with `"` and `\` escaped. */
export function quoteTxtString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
