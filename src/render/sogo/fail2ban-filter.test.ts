import { describe, expect, it } from 'vitest';
import { SOGO_FAILREGEX } from './fail2ban-filter.js';

/** Fail2ban's <HOST> stands for an address; Fail2ban has removed the date before matching. */
const regexes = SOGO_FAILREGEX.map(
  (r) => new RegExp(r.replace('<HOST>', '(?<host>[0-9a-fA-F.:]+)')),
);
const hostIn = (line: string) =>
  regexes.map((r) => r.exec(line)?.groups?.host).find((h) => h !== undefined);

// Lines sogod 5.12.1 wrote in the lab (date removed), the client's address from nginx.
describe('the SOGo Fail2ban filter', () => {
  it.each([
    // As Fail2ban hands it over: the date removed, the blank after it kept.
    " sogod [8586]: SOGoRootPage Login from '10.100.0.2' for user 'nosuch@example.com' might not have worked - password policy: 65535  grace: -1  expire: -1  bound: 0",
    "sogod [8586]: SOGoRootPage Login from '10.100.0.2' for user 'nosuch@example.com' might not have worked - password policy: 65535  grace: -1  expire: -1  bound: 0",
    'sogod [8586]: 10.100.0.2 "PROPFIND /SOGo/dav/demo@example.com/ HTTP/1.1" 401 12/0 0.003 - - 0 - 12',
    'sogod [8586]: 10.100.0.2 "OPTIONS /SOGo/Microsoft-Server-ActiveSync HTTP/1.1" 401 12/0 0.001 - - 0 - 12',
    'sogod [8586]: 10.100.0.2 "POST /SOGo/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=a&DeviceId=b&DeviceType=c HTTP/1.1" 401 12/0 0.001 - - 0 - 12',
  ])('finds the client in a refused login: %s', (line) => {
    expect(hostIn(line)).toBe('10.100.0.2');
  });

  it.each([
    "sogod [8506]: SOGoRootPage successful login from '10.100.0.2' for user 'demo@example.com' - expire = -1  grace = -1",
    'sogod [8586]: 10.100.0.2 "POST /SOGo/connect HTTP/1.1" 403 54/50 0.017 - - 4M - 12',
    'sogod [8586]: 10.100.0.2 "PROPFIND /SOGo/dav/demo@example.com/Calendar/ HTTP/1.1" 207 619/0 0.003 - - 532K - 13',
    'sogod [8586]: 10.100.0.2 "GET /SOGo/so/demo@example.com/Mail/view HTTP/1.1" 401 12/0 0.001 - - 0 - 12',
    "sogod [8586]: <0x0x56482e432b90[SOGoDAVAuthenticator]> tried wrong password for user 'demo@example.com'!",
  ])('ignores anything else: %s', (line) => {
    expect(hostIn(line)).toBeUndefined();
  });
});
