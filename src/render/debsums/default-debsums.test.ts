import { describe, expect, it } from 'vitest';
import { renderDebsumsDefault } from './index.js';

describe('renderDebsumsDefault', () => {
  const [file] = renderDebsumsDefault();

  it('renders /etc/default/debsums as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/default-debsums');
    expect(file?.path).toBe('/etc/default/debsums');
  });

  it('turns on the weekly check', () => {
    expect(file?.content).toMatch(/^CRON_CHECK=weekly$/m);
  });
});
