import { describe, expect, it } from 'vitest';
import { CommandError, mustRun, REDACTED, redactArg } from './exec.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('the command succeeded'),
    (e: unknown) => e as CommandError,
  );

describe('mustRun', () => {
  it('turns a failing command into E_COMMAND_FAILED, exit 1, naming it and its stderr', async () => {
    const e = await failure(mustRun('sh', ['-c', 'echo no such zone >&2; exit 3']));
    expect(e).toBeInstanceOf(CommandError);
    expect(e.code).toBe('E_COMMAND_FAILED');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('sh -c echo no such zone >&2; exit 3 exited 3: no such zone');
  });

  it('redacts secret arguments and the values it is told are secret', async () => {
    const e = await failure(
      mustRun(
        'sh',
        ['-c', 'echo "bad hunter2" >&2; exit 1', 'sh', '-v', 'hash=$6$abc', '--password', 'pw1'],
        { secrets: ['hunter2'] },
      ),
    );
    expect(e.message).not.toMatch(/hunter2|\$6\$abc|pw1/);
    expect(e.message).toContain(`hash=${REDACTED} --password ${REDACTED}`);
    expect(e.message).toContain(`bad ${REDACTED}`);
  });

  it('returns the output of a command that succeeds', async () => {
    expect((await mustRun('sh', ['-c', 'echo ok'])).stdout).toBe('ok\n');
  });
});

describe('redactArg', () => {
  it('keeps ordinary arguments', () => {
    expect(redactArg('-in', 'pkey')).toBe('-in');
    expect(redactArg('/etc/postfix', '-c')).toBe('/etc/postfix');
    expect(redactArg('dbname=mailctl')).toBe('dbname=mailctl');
  });
  it('hides the value of a secret option or assignment', () => {
    expect(redactArg('PGPASSWORD=x')).toBe(`PGPASSWORD=${REDACTED}`);
    expect(redactArg('s3cret', '--token')).toBe(REDACTED);
  });
});
