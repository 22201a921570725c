import { describe, expect, it } from 'vitest';
import { pwqualityComponent, renderPwquality } from './index.js';

describe('renderPwquality', () => {
  const [file] = renderPwquality();

  it('renders the pwquality.conf.d drop-in as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/pwquality.conf.d_mailctl.conf');
    expect(file?.path).toBe('/etc/security/pwquality.conf.d/mailctl.conf');
  });

  it('asks for long passwords outside the dictionary, of root too', () => {
    const text = file?.content ?? '';
    expect(Number(/^minlen = (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(12);
    expect(text).toMatch(/^dictcheck = 1$/m);
    expect(text).toMatch(/^enforce_for_root$/m);
  });

  it('brings the dictionary dictcheck needs', () => {
    expect(pwqualityComponent.packages).toEqual(
      expect.arrayContaining(['libpam-pwquality', 'cracklib-runtime']),
    );
  });
});
