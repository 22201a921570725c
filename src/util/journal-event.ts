import { EVENT_TAG } from './event-tag.js';
import { run } from './exec.js';

/**
 * Records one of mailctl's own events in the host's journal (logger, the message on stdin,
 * never on a command line), for monitoring to pick up. Best effort: a host without logger
 * or journal loses the event, never the command.
 */
export async function logEvent(
  message: string,
  priority: 'notice' | 'err' = 'notice',
): Promise<void> {
  await run('logger', ['--tag', EVENT_TAG, '--priority', `daemon.${priority}`], {
    input: `${message.replace(/\s*\n\s*/g, ' ')}\n`,
    timeoutMs: 5_000,
  }).catch(() => undefined);
}
