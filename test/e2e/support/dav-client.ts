/**
 * A CalDAV and CardDAV client (tsdav) inside a lab namespace:
 * `ip netns exec NS node --import tsx dav-client.ts '<json>'`. Each run is a separate
 * client that discovers the account from scratch (service discovery, principal, home
 * sets), as a second device would; it prints what it did as JSON.
 */
import { createDAVClient } from 'tsdav';

export interface DavRequest {
  /** The server URL a user types into a client, e.g. https://mail.example.com. */
  serverUrl: string;
  user: string;
  pass: string;
  /** `create` an event and a contact; `update` them (from another client); `read` them. */
  op: 'create' | 'update' | 'read';
  uid: string;
  /** The event's SUMMARY and the contact's FN. */
  title: string;
}

export interface DavObject {
  url: string;
  /** 200, or 404 when the server has no such object. */
  status: number;
  etag?: string;
  data: string;
}

export interface DavResult {
  calendars: string[];
  addressBooks: string[];
  /** HTTP status of each write, by what was written. */
  status: Record<string, number>;
  /** The event and contact as the server returned them (after the write). */
  event?: DavObject;
  contact?: DavObject;
  error?: string;
}

const ical = (uid: string, title: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//mailctl//e2e//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261124T120000Z',
    'DTSTART:20261201T090000Z',
    'DTEND:20261201T100000Z',
    `SUMMARY:${title}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const vcard = (uid: string, title: string) =>
  [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    `FN:${title}`,
    `N:${title};;;;`,
    `EMAIL;TYPE=INTERNET:${uid}@example.org`,
    'END:VCARD',
    '',
  ].join('\r\n');

async function run(req: DavRequest): Promise<DavResult> {
  const result: DavResult = { calendars: [], addressBooks: [], status: {} };
  const connect = (defaultAccountType: 'caldav' | 'carddav') =>
    createDAVClient({
      serverUrl: req.serverUrl,
      credentials: { username: req.user, password: req.pass },
      authMethod: 'Basic',
      defaultAccountType,
    });
  const cal = await connect('caldav');
  const card = await connect('carddav');
  const calendars = await cal.fetchCalendars();
  const books = await card.fetchAddressBooks();
  result.calendars = calendars.map((c) => c.url);
  result.addressBooks = books.map((b) => b.url);
  // SOGo gives every user a calendar "personal" and an address book "personal".
  const calendar = calendars.find((c) => /\/Calendar\/personal\/$/.test(c.url));
  const book = books.find((b) => /\/Contacts\/personal\/$/.test(b.url));
  if (!calendar || !book) throw new Error('no personal calendar or address book');
  const file = `${req.uid}`;

  if (req.op === 'create') {
    result.status.event = (
      await cal.createCalendarObject({
        calendar,
        filename: `${file}.ics`,
        iCalString: ical(req.uid, req.title),
      })
    ).status;
    result.status.contact = (
      await card.createVCard({
        addressBook: book,
        filename: `${file}.vcf`,
        vCardString: vcard(req.uid, req.title),
      })
    ).status;
  }
  // Objects are read back with a plain GET, as any client does after a change: 200 with
  // the data and its etag, or 404 when the server has no such object.
  const auth = `Basic ${Buffer.from(`${req.user}:${req.pass}`).toString('base64')}`;
  const get = async (url: string): Promise<DavObject> => {
    const r = await fetch(url, { headers: { Authorization: auth } });
    const data = await r.text();
    return { url, status: r.status, etag: r.headers.get('etag') ?? undefined, data };
  };
  const eventUrl = new URL(`${file}.ics`, calendar.url).href;
  const contactUrl = new URL(`${file}.vcf`, book.url).href;
  if (req.op === 'update') {
    const [event, contact] = [await get(eventUrl), await get(contactUrl)];
    // If-Match with the etag just read: a change made meanwhile elsewhere is not overwritten.
    result.status.event = (
      await cal.updateCalendarObject({
        calendarObject: { url: eventUrl, etag: event.etag, data: ical(req.uid, req.title) },
      })
    ).status;
    result.status.contact = (
      await card.updateVCard({
        vCard: { url: contactUrl, etag: contact.etag, data: vcard(req.uid, req.title) },
      })
    ).status;
  }
  result.event = await get(eventUrl);
  result.contact = await get(contactUrl);
  return result;
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as DavRequest).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      process.stdout.write(
        `${JSON.stringify({ calendars: [], addressBooks: [], status: {}, error: e.message })}\n`,
      );
    },
  );
}
