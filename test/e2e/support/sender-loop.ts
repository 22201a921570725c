/**
 * A bounded sender, run inside a lab namespace as another MTA would be:
 * `ip netns exec NS node --import tsx sender-loop.ts '<json>'`. It submits one message per
 * interval over plain SMTP, each with its own subject; a message refused with 4xx, or whose
 * connection fails, is retried (as an MTA's queue would) until it is accepted or `giveUpMs`
 * passes. It stops starting new messages when its stdin closes or after `maxMessages`, and
 * prints one JSON array of what happened to each message.
 */
import { connect, type Socket } from 'node:net';

export interface SenderLoopRequest {
  host: string;
  port: number;
  from: string;
  to: string;
  /** Subjects are `<tag> <n>`. */
  tag: string;
  intervalMs: number;
  maxMessages: number;
  retryMs: number;
  giveUpMs: number;
}

export interface SentMessage {
  n: number;
  subject: string;
  /** The last reply code of each attempt (0: no reply, the connection failed or closed). */
  attempts: number[];
  /** True once an attempt got 250 at the end of DATA. */
  accepted: boolean;
  /**
   * An attempt sent the whole message and then lost the connection before the reply: the
   * server may have queued it, so a retry may deliver it twice (SMTP's own limit).
   */
  ambiguous: boolean;
}

const REPLY_END = /(^|\r\n)\d{3} [^\r\n]*\r\n$/;

/** One SMTP transaction; the code that ended it (250 at the end of DATA is success). */
async function sendOnce(
  req: SenderLoopRequest,
  subject: string,
  id: string,
): Promise<{ code: number; dataSent: boolean }> {
  let sock: Socket | undefined;
  let dataSent = false;
  let buffer = '';
  let wake: (() => void) | undefined;
  const reply = (timeoutMs = 15_000) =>
    new Promise<number>((resolve) => {
      const timer = setTimeout(() => done(0), timeoutMs);
      const done = (code: number) => {
        clearTimeout(timer);
        wake = undefined;
        buffer = '';
        resolve(code);
      };
      wake = () => {
        if (REPLY_END.test(buffer)) {
          const lines = buffer.trimEnd().split('\r\n');
          done(Number(/^(\d{3})/.exec(lines[lines.length - 1] ?? '')?.[1] ?? 0));
        } else if (sock?.destroyed) done(0);
      };
      wake();
    });
  try {
    sock = await new Promise<Socket>((resolve, reject) => {
      // A bound on the connect alone: left running, it cut every session at 5 s, before
      // postscreen's greeting (postscreen_greet_wait) to a client it has not seen yet.
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, 5_000);
      const s = connect({ host: req.host, port: req.port }, () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    sock.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      wake?.();
    });
    sock.on('close', () => wake?.());
    sock.on('error', () => wake?.());
    const say = async (line: string, want: RegExp) => {
      sock?.write(`${line}\r\n`);
      const code = await reply();
      return want.test(String(code)) ? undefined : code;
    };
    const greeting = await reply();
    if (greeting !== 220) return { code: greeting, dataSent };
    const failed =
      (await say('EHLO sender.example.org', /^250$/)) ??
      (await say(`MAIL FROM:<${req.from}>`, /^250$/)) ??
      (await say(`RCPT TO:<${req.to}>`, /^25\d$/)) ??
      (await say('DATA', /^354$/));
    if (failed !== undefined) return { code: failed, dataSent };
    const message = [
      `From: <${req.from}>`,
      `To: <${req.to}>`,
      `Subject: ${subject}`,
      `Message-ID: <${id}@sender.example.org>`,
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      '',
      'A message of the self-healing test.',
      '.',
      '',
    ].join('\r\n');
    sock.write(message);
    dataSent = true;
    const code = await reply(60_000);
    sock.write('QUIT\r\n');
    return { code, dataSent };
  } catch {
    return { code: 0, dataSent };
  } finally {
    sock?.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function senderLoop(
  req: SenderLoopRequest,
  stopped: () => boolean,
): Promise<SentMessage[]> {
  const out: SentMessage[] = [];
  for (let n = 1; n <= req.maxMessages && !stopped(); n++) {
    const started = Date.now();
    const subject = `${req.tag} ${n}`;
    const m: SentMessage = { n, subject, attempts: [], accepted: false, ambiguous: false };
    out.push(m);
    while (!m.accepted && Date.now() - started < req.giveUpMs) {
      const { code, dataSent } = await sendOnce(req, subject, `${req.tag}.${n}`);
      m.attempts.push(code);
      if (code === 250) m.accepted = true;
      else if (code >= 500) break;
      else {
        if (dataSent && code === 0) m.ambiguous = true;
        await sleep(req.retryMs);
      }
    }
    await sleep(Math.max(0, req.intervalMs - (Date.now() - started)));
  }
  return out;
}

if (process.argv[2]) {
  const req = JSON.parse(process.argv[2]) as SenderLoopRequest;
  let stop = false;
  process.stdin.on('end', () => (stop = true));
  process.stdin.on('close', () => (stop = true));
  process.stdin.resume();
  void senderLoop(req, () => stop).then((r) => {
    process.stdout.write(JSON.stringify(r));
    process.exit(0);
  });
}
