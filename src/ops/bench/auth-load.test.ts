import { describe, expect, it } from 'vitest';
import { authRequest, parseAuthReply } from './auth-load.js';

describe("Dovecot's auth client protocol", () => {
  it('sends PLAIN as one AUTH line, secured, without penalty, the password in base64 only', () => {
    const line = authRequest(7, 'a@example.net', 'p w');
    expect(line).toBe(
      `AUTH\t7\tPLAIN\tservice=imap\tsecured\tno-penalty\tresp=${Buffer.from('\0a@example.net\0p w').toString('base64')}\n`,
    );
    expect(line).not.toContain('p w');
  });

  it('reads OK and FAIL replies by id, and nothing else', () => {
    expect(parseAuthReply('OK\t12\tuser=a@example.net')).toEqual({ id: 12, ok: true });
    expect(parseAuthReply('FAIL\t3\tuser=a@example.net\treason=x')).toEqual({ id: 3, ok: false });
    expect(parseAuthReply('FAIL\t4')).toEqual({ id: 4, ok: false });
    expect(parseAuthReply('CONT\t5\t')).toBeUndefined();
    expect(parseAuthReply('OK\t12x')).toBeUndefined();
  });
});
