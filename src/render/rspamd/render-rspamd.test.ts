import { describe, expect, it } from 'vitest';
import { testHostContext } from '../test-host-context.js';
import { renderRspamd } from './index.js';

const file = (name: string) =>
  renderRspamd(testHostContext()).find((f) => f.path === `/etc/rspamd/local.d/${name}`)?.content ??
  '';

describe('renderRspamd', () => {
  it('speaks milter to Postfix on loopback only', () => {
    expect(file('worker-proxy.inc')).toContain('milter = yes;');
    expect(file('worker-proxy.inc')).toContain('bind_socket = "127.0.0.1:11332";');
    expect(file('worker-controller.inc')).toContain('bind_socket = "127.0.0.1:11334";');
  });

  it('takes its action thresholds from the cluster file', () => {
    expect(file('actions.conf')).toContain('reject = 15;\nadd_header = 6;\ngreylist = 4;');
  });

  it('signs every domain with its own key', () => {
    const dkim = file('dkim_signing.conf');
    for (const d of ['example.com', 'example.org'])
      expect(dkim).toContain(`path = "/var/lib/rspamd/dkim/${d}.mail.key";`);
    expect(dkim).toContain('sign_authenticated = true;');
  });

  it('limits each authenticated user with the ratelimit user bucket from the cluster file', async () => {
    const text = renderRspamd(testHostContext({ submissionLimit: { burst: 7, perHour: 30 } })).find(
      (f) => f.path.endsWith('/ratelimit.conf'),
    )?.content;
    await expect(text).toMatchFileSnapshot('golden/ratelimit.conf');
    expect(text).toContain('burst = 7;');
    expect(text).toContain('rate = "30 / 1h";');
  });

  it('guards the controller with a host secret, in a file only Rspamd can read', () => {
    const f = renderRspamd(testHostContext()).find((x) => x.path.endsWith('worker-controller.inc'));
    expect(f?.content).toContain('password = "@@secret:rspamd-controller-password@@";');
    expect(f?.content).toContain('secure_ip = "127.0.0.1";');
    expect([f?.mode.toString(8), f?.group]).toEqual(['640', '_rspamd']);
  });
});
