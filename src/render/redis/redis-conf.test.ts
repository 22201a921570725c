import { describe, expect, it } from 'vitest';
import { secretRefsIn } from '../host-context.js';
import { renderRspamd } from '../rspamd/index.js';
import { testHostContext } from '../test-host-context.js';
import { REDIS_PASSWORD_SECRET, renderRedis } from './index.js';

describe('renderRedis', () => {
  const [file] = renderRedis();

  it('renders redis.conf as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/redis.conf');
    expect(file?.path).toBe('/etc/redis/redis.conf');
  });

  it('listens on loopback only and requires the host-made password', () => {
    const text = file?.content ?? '';
    expect(text).toContain('\nbind 127.0.0.1 -::1\n');
    expect(text).toContain('\nprotected-mode yes\n');
    expect(text).toContain(`\nrequirepass @@secret:${REDIS_PASSWORD_SECRET}@@\n`);
    // Readable by Redis, by no one else, and not writable by Redis itself.
    expect([file?.owner, file?.group, file?.mode.toString(8)]).toEqual(['root', 'redis', '640']);
  });

  it('has no CONFIG command', () => {
    expect(file?.content).toContain('\nrename-command CONFIG ""\n');
  });

  it('gives Rspamd the same password, in a file only Rspamd reads', () => {
    const rspamd = renderRspamd(testHostContext()).find(
      (f) => f.path === '/etc/rspamd/local.d/redis.conf',
    );
    expect(secretRefsIn(rspamd?.content ?? '')).toEqual([REDIS_PASSWORD_SECRET]);
    expect(rspamd?.content).toContain('servers = "127.0.0.1:6379";');
    expect([rspamd?.group, rspamd?.mode.toString(8)]).toEqual(['_rspamd', '640']);
  });
});
