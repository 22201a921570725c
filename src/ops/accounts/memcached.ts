import { createConnection } from 'node:net';
import { UserError } from '../../util/errors.js';

/**
 * A few memcached text-protocol commands over one short connection (memcached's
 * protocol.txt). Each command is answered by lines ending in one of `ends`.
 */
export async function memcachedCommands(
  host: string,
  port: number,
  commands: readonly { line: string; ends: RegExp }[],
  timeoutMs = 5000,
): Promise<string[]> {
  const socket = createConnection({ host, port });
  socket.setEncoding('utf8');
  let buffer = '';
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  socket.on('data', (d: string) => {
    buffer += d;
    wake?.();
  });
  socket.on('error', (e) => {
    failure = e;
    wake?.();
  });
  const timer = setTimeout(() => {
    failure = new Error(`no answer within ${timeoutMs} ms`);
    wake?.();
  }, timeoutMs);
  try {
    const answers: string[] = [];
    for (const c of commands) {
      socket.write(`${c.line}\r\n`);
      while (!c.ends.test(buffer)) {
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
      answers.push(buffer);
      buffer = '';
    }
    return answers;
  } catch (e) {
    throw new UserError(
      'E_MEMCACHED',
      `memcached at ${host}:${port} did not answer: ${(e as Error).message}`,
      { cause: e, exitCode: 1 },
    );
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/** Every key memcached holds now (`lru_crawler metadump all`, memcached 1.4.31 and later). */
export async function memcachedKeys(host: string, port: number): Promise<string[]> {
  const [dump = ''] = await memcachedCommands(host, port, [
    { line: 'lru_crawler metadump all', ends: /^(END|ERROR.*|BUSY.*)\r\n/m },
  ]);
  return [...dump.matchAll(/^key=(\S+)/gm)].map((m) => decodeURIComponent(m[1] ?? ''));
}

/** Deletes the keys; those already gone are no error. */
export async function memcachedDelete(
  host: string,
  port: number,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  await memcachedCommands(
    host,
    port,
    keys.map((k) => ({ line: `delete ${k}`, ends: /(DELETED|NOT_FOUND|ERROR.*)\r\n$/ })),
  );
}
