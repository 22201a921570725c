import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHost, labSh } from './support/cli.js';
import { imapFetchAll } from './support/mail.js';
import { VPN } from './support/lab-world.js';
import { SHARED_LAB, useSharedLab } from './support/shared-lab.js';

// Issue 14: Dovecot caches logins (auth_cache_size), and every mailctl change to a mailbox
// flushes that login's entries, so a changed password, a disabled mailbox or a new one
// counts from the next login, not auth_cache_ttl later.
const LAB = SHARED_LAB;
const BOX = 'cachetest@example.net';
const NEW = 'cachenew@example.net';
const PASS = 'cached password horse 14';
const { run: onHost } = labHost(LAB);

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const login = (user: string, pass: string) => imapFetchAll(LAB, 'vpn', VPN, user, pass).loginOk;
/** Writes a row behind mailctl's back, as only the database would see it (no flush). */
const sql = (statement: string) =>
  ok(labSh(LAB, 'host', `runuser -u postgres -- psql -XAtq -d mailctl -c "${statement}"`));
const cleanUp = () => {
  for (const m of [BOX, NEW]) onHost(['mailctl', 'mailbox', 'remove', m]);
};

describe("Dovecot's auth cache", () => {
  beforeAll(() => {
    useSharedLab();
    cleanUp();
    ok(onHost(['mailctl', 'mailbox', 'add', BOX, '--password-stdin'], `${PASS}\n`));
  });
  afterAll(cleanUp);

  it('answers a login from the cache: a hash changed in the database alone does not count', () => {
    expect(login(BOX, PASS)).toBe(true);
    sql(`UPDATE mailboxes SET password = '{SHA512-CRYPT}\\$6\\$x\\$none' WHERE address = '${BOX}'`);
    // The cache is on: without a flush the old password still works ...
    expect(login(BOX, PASS)).toBe(true);
  });

  it('mailbox passwd: the old password is refused at once, the new one works', () => {
    ok(onHost(['mailctl', 'mailbox', 'passwd', BOX, '--password-stdin'], `${PASS} new\n`));
    expect(login(BOX, PASS)).toBe(false);
    expect(login(BOX, `${PASS} new`)).toBe(true);
  });

  it('mailbox disable: a cached login is refused at once; enable lets it in again', () => {
    expect(login(BOX, `${PASS} new`)).toBe(true);
    ok(onHost(['mailctl', 'mailbox', 'disable', BOX]));
    expect(login(BOX, `${PASS} new`)).toBe(false);
    ok(onHost(['mailctl', 'mailbox', 'enable', BOX]));
    expect(login(BOX, `${PASS} new`)).toBe(true);
  });

  it('mailbox add: a login refused before the mailbox existed works once it is added', () => {
    expect(login(NEW, PASS)).toBe(false);
    ok(onHost(['mailctl', 'mailbox', 'add', NEW, '--password-stdin'], `${PASS}\n`));
    expect(login(NEW, PASS)).toBe(true);
  });

  it('mailbox remove: a cached login is refused at once', () => {
    expect(login(NEW, PASS)).toBe(true);
    ok(onHost(['mailctl', 'mailbox', 'remove', NEW]));
    expect(login(NEW, PASS)).toBe(false);
  });
});
