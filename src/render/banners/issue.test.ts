import { describe, expect, it } from 'vitest';
import { renderSshdConfig } from '../ssh/index.js';
import { renderBanners } from './index.js';

describe('renderBanners', () => {
  const files = renderBanners();

  it('writes the same notice to /etc/issue and /etc/issue.net, as in the golden file', async () => {
    expect(files.map((f) => f.path)).toEqual(['/etc/issue', '/etc/issue.net']);
    await expect(files[0]?.content).toMatchFileSnapshot('golden/issue');
    expect(files[1]?.content).toBe(files[0]?.content);
  });

  it('names no operating system and has no escapes for getty to expand', () => {
    for (const f of files) {
      expect(f.content).not.toMatch(/debian|linux|ubuntu|\d+\.\d+/i);
      expect(f.content).not.toContain('\\');
    }
  });

  it('is what sshd shows before authentication', () => {
    expect(renderSshdConfig()).toContain('\nBanner /etc/issue.net\n');
  });
});
