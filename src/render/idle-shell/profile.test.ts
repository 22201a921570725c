import { describe, expect, it } from 'vitest';
import { renderIdleShell } from './index.js';

describe('renderIdleShell', () => {
  const [file] = renderIdleShell();

  it('renders the profile.d script as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/mailctl-idle-logout.sh');
    expect(file?.path).toBe('/etc/profile.d/mailctl-idle-logout.sh');
  });

  it('sets TMOUT read-only and exported, without touching it when already set', () => {
    const text = file?.content ?? '';
    expect(text).toContain('TMOUT=900');
    expect(text).toMatch(/^readonly TMOUT$/m);
    expect(text).toMatch(/^export TMOUT$/m);
    expect(text).toContain('if [ "${TMOUT:-}" != 900 ]; then');
  });
});
