import { describe, expect, it } from 'vitest';
import { wireguardComponent } from './component.js';

describe('wireguardComponent', () => {
  it('reloads wg-quick@wg0 (wg syncconf keeps the tunnel up) and checks with wg-quick', () => {
    expect(wireguardComponent.units).toEqual(['wg-quick@wg0.service']);
    expect(wireguardComponent.onChange).toBe('reload');
    expect(wireguardComponent.packages).toContain('wireguard-go');
    expect(wireguardComponent.check?.join(' ')).toContain('wg-quick strip wg0 >/dev/null');
  });
});
