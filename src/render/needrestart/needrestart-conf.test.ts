import { describe, expect, it } from 'vitest';
import { renderNeedrestart } from './index.js';

describe('renderNeedrestart', () => {
  const [file] = renderNeedrestart();

  it('renders the conf.d file as in the golden file', async () => {
    await expect(file?.content).toMatchFileSnapshot('golden/needrestart.conf.d_mailctl.conf');
    expect(file?.path).toBe('/etc/needrestart/conf.d/mailctl.conf');
  });

  it('restarts outdated daemons without asking', () => {
    expect(file?.content).toContain("\n$nrconf{restart} = 'a';\n");
  });
});
