/**
 * An ActiveSync phone, as far as the tests need one, inside a lab namespace:
 * `ip netns exec NS node --import tsx eas-client.ts '<json>'`. It asks OPTIONS (which
 * protocol versions and commands the server offers) and sends a FolderSync with SyncKey 0,
 * the first request every device makes; it prints the answers as JSON.
 */
import { decode, el, encode, findAll, FOLDER_HIERARCHY as FH } from './wbxml.js';

export interface EasRequest {
  /** The ActiveSync endpoint, e.g. https://mail.example.com/Microsoft-Server-ActiveSync. */
  url: string;
  user: string;
  pass: string;
}

export interface EasResult {
  options: { status: number; versions?: string; commands?: string };
  folderSync: { status: number; easStatus?: string; folders: { name: string; type: string }[] };
  error?: string;
}

async function run(req: EasRequest): Promise<EasResult> {
  const auth = `Basic ${Buffer.from(`${req.user}:${req.pass}`).toString('base64')}`;
  const headers = { Authorization: auth, 'User-Agent': 'mailctl-e2e/1.0' };
  const signal = AbortSignal.timeout(60_000);
  const options = await fetch(req.url, { method: 'OPTIONS', headers, signal });
  const result: EasResult = {
    options: {
      status: options.status,
      versions: options.headers.get('ms-asprotocolversions') ?? undefined,
      commands: options.headers.get('ms-asprotocolcommands') ?? undefined,
    },
    folderSync: { status: 0, folders: [] },
  };
  const query = new URLSearchParams({
    Cmd: 'FolderSync',
    User: req.user,
    DeviceId: 'mailctle2e0001',
    DeviceType: 'mailctlTest',
  });
  const body = encode(el(FH.page, FH.FolderSync, [el(FH.page, FH.SyncKey, '0')]));
  const sync = await fetch(`${req.url}?${query}`, {
    method: 'POST',
    headers: {
      ...headers,
      'Content-Type': 'application/vnd.ms-sync.wbxml',
      'MS-ASProtocolVersion': '14.1',
    },
    body,
    signal,
  });
  result.folderSync.status = sync.status;
  if (sync.ok) {
    const doc = decode(new Uint8Array(await sync.arrayBuffer()));
    result.folderSync.easStatus = findAll(doc, FH.page, FH.Status)[0]?.text;
    result.folderSync.folders = findAll(doc, FH.page, FH.Add).map((add) => ({
      name: findAll(add, FH.page, FH.DisplayName)[0]?.text ?? '',
      type: findAll(add, FH.page, FH.Type)[0]?.text ?? '',
    }));
  }
  return result;
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as EasRequest).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      const empty = { options: { status: 0 }, folderSync: { status: 0, folders: [] } };
      process.stdout.write(`${JSON.stringify({ ...empty, error: e.message })}\n`);
    },
  );
}
