import { describe, expect, it } from 'vitest';
import { renderPostfixMainCf } from '../postfix/main-cf.js';
import { testHostContext } from '../test-host-context.js';
import { MTA_STS_POLICY_MAP, mtaStsResolverComponent, renderMtaStsDaemonConf } from './index.js';

describe('postfix-mta-sts-resolver', () => {
  it('answers on loopback where Postfix asks, and caches policies across restarts', async () => {
    const conf = renderMtaStsDaemonConf();
    await expect(conf).toMatchFileSnapshot('golden/mta-sts-daemon.yml');
    expect(conf).toMatch(/^host: 127\.0\.0\.1\nport: 8461$/m);
    expect(conf).toContain('  type: sqlite\n');
    expect(mtaStsResolverComponent.readyPorts).toEqual(['127.0.0.1:8461']);
    expect(renderPostfixMainCf(testHostContext()).content).toContain(
      `smtp_tls_policy_maps = ${MTA_STS_POLICY_MAP}\n`,
    );
  });
});
