import { describe, expect, it } from 'vitest';
import { memcachedComponent, sogoComponent } from './component.js';

describe('the SOGo and memcached components', () => {
  it('restart (neither daemon reloads) and wait for their loopback ports', () => {
    expect(sogoComponent).toMatchObject({
      packages: ['sogo', 'sogo-activesync'],
      units: ['sogo.service'],
      onChange: 'restart',
      readyPorts: ['127.0.0.1:20000'],
    });
    expect(memcachedComponent).toMatchObject({
      packages: ['memcached'],
      units: ['memcached.service'],
      onChange: 'restart',
      readyPorts: ['127.0.0.1:11211'],
    });
  });

  it("check the files with GNUstep's plparse and memcached's own option parser", () => {
    expect(sogoComponent.check?.join(' ')).toContain('plparse /etc/sogo/sogo.conf');
    expect(memcachedComponent.check?.join(' ')).toContain('/etc/memcached.conf) -V');
  });
});
