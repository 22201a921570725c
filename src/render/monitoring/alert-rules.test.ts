/**
 * The alert rules through Prometheus's own tools in the Debian 13 checker root:
 * `promtool check rules` parses them, `promtool test rules` runs every alert on series on
 * which it must fire and series on which it must stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { debian13Root, runInDebian13Root } from '../../../test/support/debian13-root.js';
import { rootFile } from '../types.js';
import { alertRules, alertRulesYaml } from './alert-rules.js';
import { promtoolTestFile, RULE_CASES, type RuleCase } from './alert-rules.test-cases.js';
import { defaultMonitoring, type MonitoringContext } from './context.js';
import { ALERT_RULES_PATH } from './endpoints.js';

const root = debian13Root('usr/bin/promtool');
const TEST_FILE = '/tmp/mailctl-rules.test.yml';

function promtoolTest(m: MonitoringContext, cases: readonly RuleCase[]) {
  const files = [
    rootFile('test', ALERT_RULES_PATH, alertRulesYaml(m, '')),
    rootFile('test', TEST_FILE, stringify(promtoolTestFile(ALERT_RULES_PATH, cases))),
  ];
  return runInDebian13Root(root ?? '', files, ['promtool', 'test', 'rules', TEST_FILE]);
}

describe('alertRules', () => {
  it('has a must-fire and a must-stay-quiet case for every alert', () => {
    const names = [...new Set(alertRules(defaultMonitoring()).map((r) => r.alert))].sort();
    const fire = new Set(RULE_CASES.filter((c) => c.expect.length).map((c) => c.alert));
    const quiet = new Set(RULE_CASES.filter((c) => !c.expect.length).map((c) => c.alert));
    expect([...fire].sort()).toEqual(names);
    expect([...quiet].sort()).toEqual(names);
  });

  it('takes every threshold from the cluster file', () => {
    const m = defaultMonitoring();
    const yaml = alertRulesYaml(
      { ...m, alerts: { ...m.alerts, serviceDownFor: 30, queueDeferredMax: 7, memoryPercent: 61 } },
      '',
    );
    expect(yaml).toContain('for: 30s');
    expect(yaml).toMatch(/> 7\n/);
    expect(yaml).toMatch(/> 61\s/);
  });
});

describe.skipIf(!root)('promtool on the alert rules', () => {
  it('checks the rules file', () => {
    const files = [rootFile('test', ALERT_RULES_PATH, alertRulesYaml(defaultMonitoring(), ''))];
    const r = runInDebian13Root(root ?? '', files, [
      'promtool',
      'check',
      'rules',
      ALERT_RULES_PATH,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`SUCCESS: ${alertRules(defaultMonitoring()).length} rules found`);
    expect(r.status).toBe(0);
  });

  it('fires each alert where it must, and only there', () => {
    const r = promtoolTest(defaultMonitoring(), RULE_CASES);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('fails a case whose expectation is wrong (the test can fail)', () => {
    const wrong = RULE_CASES.filter((c) => c.alert === 'QueueDeferred' && !c.expect.length).map(
      (c) => ({ ...c, expect: RULE_CASES.find((f) => f.alert === 'QueueDeferred')?.expect ?? [] }),
    );
    const r = promtoolTest(defaultMonitoring(), wrong);
    expect(r.stdout + r.stderr).toContain('FAILED');
    expect(r.status).not.toBe(0);
  });

  it('moves with the thresholds: with service_down_for 30s, ServiceDown fires after a minute', () => {
    const m = defaultMonitoring();
    const fast = { ...m, alerts: { ...m.alerts, serviceDownFor: 30 } };
    const fires = RULE_CASES.filter((c) => c.alert === 'ServiceDown' && c.expect.length);
    const atOneMinute = fires.map((c) => ({ ...c, evalTime: '1m' }));
    expect(atOneMinute).toHaveLength(1);
    expect(promtoolTest(fast, atOneMinute).status).toBe(0);
    // With the default 2m it is still pending after a minute.
    expect(promtoolTest(m, atOneMinute).status).not.toBe(0);
  });
});
