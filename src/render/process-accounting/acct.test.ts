import { describe, expect, it } from 'vitest';
import { mailHostDesiredState } from '../../plan/mail-host.js';
import { testHostContext } from '../test-host-context.js';

describe('processAccountingComponent', () => {
  it('is part of every mail host', () => {
    const d = mailHostDesiredState(testHostContext(), []);
    expect(d.components.map((c) => c.name)).toContain('process-accounting');
    expect(d.packages).toEqual(expect.arrayContaining(['acct', 'cron']));
  });
});
