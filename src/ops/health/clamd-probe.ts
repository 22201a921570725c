import { connect } from 'node:net';
import { critical, ok, type Finding } from './run-checks.js';

/**
 * clamd's PING over its unix socket (the z-prefixed form: NUL-terminated command and
 * reply). Rspamd fails open (rspamd/antivirus.ts): while clamd does not answer, mail is
 * delivered unscanned, and this check is what says so.
 */
export function clamdPing(socketPath: string, timeoutMs: number): Promise<Finding> {
  const unscanned = 'Rspamd delivers mail unscanned until it answers';
  return new Promise((resolve) => {
    let reply = '';
    const s = connect({ path: socketPath }, () => s.write('zPING\0'));
    const done = (f: Finding) => {
      s.destroy();
      resolve(f);
    };
    s.setTimeout(timeoutMs, () => done(critical(`clamd did not answer PING; ${unscanned}`)));
    s.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\0'))
        done(
          reply === 'PONG\0'
            ? ok(`clamd answered PONG on ${socketPath}`)
            : critical(`clamd answered ${JSON.stringify(reply)}`),
        );
    });
    s.on('error', (e) => done(critical(`clamd: ${e.message}; ${unscanned}`)));
  });
}
