import { describe, expect, it } from 'vitest';
import {
  evaluateAuthBeforeTls,
  evaluateOpenRelay,
  evaluateSmuggling,
  evaluateStarttlsInjection,
} from './smtp-checks.js';

const EHLO_PLAIN = '250-mail.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 CHUNKING\r\n';
const EHLO_TLS =
  '250-mail.example.com\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 CHUNKING\r\n';

describe('SMTP probe evaluation', () => {
  it('open relay: a refused RCPT passes, an accepted one fails', () => {
    expect(evaluateOpenRelay('554 5.7.1 <x@y.example>: Relay access denied\r\n').ok).toBe(true);
    expect(evaluateOpenRelay('250 2.1.5 Ok\r\n').ok).toBe(false);
    expect(evaluateOpenRelay('').ok).toBe(false);
  });

  it('AUTH before TLS: not offered and refused passes; offered or accepted fails', () => {
    expect(
      evaluateAuthBeforeTls(EHLO_PLAIN, '530 5.7.0 Must issue a STARTTLS command first\r\n').ok,
    ).toBe(true);
    expect(
      evaluateAuthBeforeTls(EHLO_TLS, '530 5.7.0 Must issue a STARTTLS command first\r\n').ok,
    ).toBe(false);
    expect(evaluateAuthBeforeTls(EHLO_PLAIN, '535 5.7.8 Error: authentication failed\r\n').ok).toBe(
      true,
    );
    expect(evaluateAuthBeforeTls(EHLO_PLAIN, '334 \r\n').ok).toBe(false);
  });

  it('smuggling: refused at the real end passes; a bare end that ends the message fails', () => {
    expect(evaluateSmuggling('lf-dot-lf', '', '550 5.5.2 Error: bare <LF> received\r\n').ok).toBe(
      true,
    );
    const smuggled = evaluateSmuggling(
      'lf-dot-lf',
      '250 2.0.0 Ok: queued as ABC\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n',
      '250 2.0.0 Ok: queued as DEF\r\n',
    );
    expect(smuggled.ok).toBe(false);
    expect(smuggled.detail).toContain('could be smuggled');
    // Accepted as one (normalized) message: nothing smuggled, but not refused either.
    expect(evaluateSmuggling('lf-dot-lf', '', '250 2.0.0 Ok: queued as GHI\r\n').ok).toBe(false);
  });

  it('STARTTLS injection: the first reply inside TLS must be our EHLO', () => {
    expect(evaluateStarttlsInjection('220 2.0.0 Ready to start TLS\r\n', EHLO_TLS).ok).toBe(true);
    expect(
      evaluateStarttlsInjection('220 2.0.0 Ready to start TLS\r\n', `250 2.0.0 Ok\r\n${EHLO_TLS}`)
        .ok,
    ).toBe(false);
    expect(evaluateStarttlsInjection('454 4.7.0 TLS not available\r\n', '').ok).toBe(false);
  });
});
