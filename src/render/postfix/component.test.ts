import { describe, expect, it } from 'vitest';
import { postfixComponent } from './component.js';

describe('postfixComponent', () => {
  it('reloads postfix.service and checks with postconf and postfix check', () => {
    expect(postfixComponent.units).toEqual(['postfix.service']);
    expect(postfixComponent.onChange).toBe('reload');
    expect(postfixComponent.packages).toEqual(expect.arrayContaining(['postfix', 'postfix-pgsql']));
    const script = postfixComponent.check?.join(' ') ?? '';
    for (const cmd of ['postconf -n', 'postconf -M', 'postconf -P', 'postfix check']) {
      expect(script).toContain(cmd);
    }
  });
});
