/**
 * One CalDAV event or CardDAV contact as a calendar or address book app writes and reads
 * it: curl from the lab's VPN client through nginx to SOGo, in the user's personal
 * calendar or address book. The login goes in curl's config on standard input
 * (`--config -`), never in argv.
 */
import { labRun } from './cli.js';
import { sogoCurlArgs } from './sogo-http.js';
import { VPN } from './lab-world.js';

export interface CalendarUser {
  user: string;
  pass: string;
}

/** A config-file string for curl: its parser reads \\, \" and \r\n escapes inside quotes. */
const quoted = (s: string) =>
  `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\r', '\\r').replaceAll('\n', '\\n')}"`;

/** Where SOGo keeps each kind of object, and its media type. */
const COLLECTIONS = {
  event: { path: 'Calendar/personal', suffix: 'ics', type: 'text/calendar' },
  contact: { path: 'Contacts/personal', suffix: 'vcf', type: 'text/vcard' },
} as const;
type Kind = keyof typeof COLLECTIONS;

const objectUrl = (who: CalendarUser, kind: Kind, uid: string) =>
  `https://mail.example.com/SOGo/dav/${encodeURIComponent(who.user)}/${COLLECTIONS[kind].path}/${uid}.${COLLECTIONS[kind].suffix}`;

const vcard = (uid: string, name: string) =>
  ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${name}`, `N:${name};;;;`, 'END:VCARD', ''].join(
    '\r\n',
  );

const ical = (uid: string, summary: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//mailctl//e2e backup//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261207T120000Z',
    'DTSTART:20261214T090000Z',
    'DTEND:20261214T100000Z',
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

export interface DavAnswer {
  status: string;
  body: string;
}

function dav(
  lab: string,
  who: CalendarUser,
  method: 'PUT' | 'GET' | 'DELETE',
  uid: string,
  body?: string,
  kind: Kind = 'event',
): DavAnswer {
  const config = [
    `user = ${quoted(`${who.user}:${who.pass}`)}`,
    `request = ${method}`,
    `url = ${quoted(objectUrl(who, kind, uid))}`,
    ...(body === undefined
      ? []
      : [
          `header = "Content-Type: ${COLLECTIONS[kind].type}; charset=utf-8"`,
          `data-binary = ${quoted(body)}`,
        ]),
    '',
  ].join('\n');
  const r = labRun(lab, 'vpn', [...sogoCurlArgs(VPN), '--config', '-'], { input: config });
  const m = /^([\s\S]*)\n(\d{3})\n?$/.exec(r.stdout);
  return { status: m?.[2] ?? '', body: m?.[1] ?? r.stdout };
}

/** PUT a new event (SOGo answers 201). */
export const putEvent = (lab: string, who: CalendarUser, uid: string, summary: string) =>
  dav(lab, who, 'PUT', uid, ical(uid, summary));
/** GET it back: 200 with the iCalendar, or 404. */
export const getEvent = (lab: string, who: CalendarUser, uid: string) => dav(lab, who, 'GET', uid);
/** DELETE it (204). */
export const deleteEvent = (lab: string, who: CalendarUser, uid: string) =>
  dav(lab, who, 'DELETE', uid);
/** PUT a new contact into the personal address book (SOGo answers 201). */
export const putContact = (lab: string, who: CalendarUser, uid: string, name: string) =>
  dav(lab, who, 'PUT', uid, vcard(uid, name), 'contact');
/** GET it back: 200 with the vCard, or 404. */
export const getContact = (lab: string, who: CalendarUser, uid: string) =>
  dav(lab, who, 'GET', uid, undefined, 'contact');
