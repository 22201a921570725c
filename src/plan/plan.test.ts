import { describe, expect, it } from 'vitest';
import type { ComponentDescriptor, RenderedFile } from '../render/types.js';
import type { DesiredState, ObservedState } from './desired-state.js';
import { computePlan, formatPlan, isEmptyPlan, planJson } from './plan.js';

const comp = (name: string): ComponentDescriptor => ({
  name,
  packages: [name],
  units: [`${name}.service`],
  onChange: 'reload',
  check: ['true'],
});
const file = (path: string, content: string, component = 'postfix'): RenderedFile => ({
  path,
  content,
  mode: 0o644,
  owner: 'root',
  group: 'root',
  component,
});

const desired: DesiredState = {
  packages: ['postfix', 'dovecot-core'],
  users: [{ name: 'vmail', uid: 5000, group: 'vmail', gid: 5000, home: '/var/mail/vmail' }],
  directories: [{ path: '/var/mail/vmail', owner: 'vmail', group: 'vmail', mode: 0o750 }],
  permissions: [
    {
      path: '/etc/postgresql/17/main/postgresql.conf',
      owner: 'postgres',
      group: 'postgres',
      mode: 0o640,
    },
  ],
  files: [
    file('/etc/postfix/main.cf', 'a = 1\n'),
    file('/etc/dovecot/sql.conf', 'password = @@secret:db@@\n', 'dovecot'),
  ],
  components: [comp('postfix'), comp('dovecot')],
};

const converged: ObservedState = {
  installedPackages: new Set(['postfix', 'dovecot-core']),
  users: new Set(['vmail']),
  directories: new Map([['/var/mail/vmail', { owner: 'vmail', group: 'vmail', mode: 0o750 }]]),
  permissions: new Map([
    [
      '/etc/postgresql/17/main/postgresql.conf',
      { owner: 'postgres', group: 'postgres', mode: 0o640 },
    ],
  ]),
  files: new Map([
    ['/etc/postfix/main.cf', { content: 'a = 1\n', owner: 'root', group: 'root', mode: 0o644 }],
    [
      '/etc/dovecot/sql.conf',
      { content: 'password = s3cret-value\n', owner: 'root', group: 'root', mode: 0o644 },
    ],
  ]),
  enabledUnits: new Set(['postfix.service', 'dovecot.service']),
  activeUnits: new Set(['postfix.service', 'dovecot.service']),
};

const resolve = (f: RenderedFile) => f.content.replace('@@secret:db@@', 's3cret-value');
const diff = (a: string, b: string) => `-${a}+${b}`;

describe('computePlan', () => {
  it('is empty on a converged host, and says so', () => {
    const plan = computePlan(desired, converged, resolve);
    expect(isEmptyPlan(plan)).toBe(true);
    expect(formatPlan(plan, diff)).toMatch(/^No changes/);
  });

  it('plans everything on a fresh host, and every unit to be enabled', () => {
    const fresh: ObservedState = {
      installedPackages: new Set(),
      users: new Set(),
      directories: new Map(),
      permissions: new Map(),
      files: new Map(),
      enabledUnits: new Set(),
      activeUnits: new Set(),
    };
    const plan = computePlan(desired, fresh, resolve);
    expect(plan.packages).toEqual(['dovecot-core', 'postfix']);
    expect(plan.users.map((u) => u.name)).toEqual(['vmail']);
    expect(plan.files.map((f) => f.kind)).toEqual(['create', 'create']);
    // In the components' order, not the alphabet's.
    expect(plan.unitsToEnable).toEqual(['postfix.service', 'dovecot.service']);
  });

  it('starts a unit that is not running, even with nothing else to change', () => {
    // acct.service after its package is installed: enabled by the postinst, kept stopped
    // by policy-rc.d, and no file of its own that would restart it.
    const plan = computePlan(
      desired,
      { ...converged, activeUnits: new Set(['postfix.service']) },
      resolve,
    );
    expect(plan.unitsToEnable).toEqual(['dovecot.service']);
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it("sets a package file's owner and mode, never its content, and shows it", () => {
    const observed: ObservedState = {
      ...converged,
      permissions: new Map([
        [
          '/etc/postgresql/17/main/postgresql.conf',
          { owner: 'postgres', group: 'postgres', mode: 0o644 },
        ],
      ]),
    };
    const plan = computePlan(desired, observed, resolve);
    expect(plan.permissions).toEqual(desired.permissions);
    expect(plan.files).toEqual([]);
    expect(plan.changedComponents).toEqual([]);
    expect(formatPlan(plan, diff)).toContain(
      '~ permissions /etc/postgresql/17/main/postgresql.conf postgres:postgres 640',
    );
  });

  it('reloads only the component whose file changed, and shows its diff', () => {
    const observed = {
      ...converged,
      files: new Map(converged.files).set('/etc/postfix/main.cf', {
        content: 'a = 0\n',
        owner: 'root',
        group: 'root',
        mode: 0o644,
      }),
    };
    const plan = computePlan(desired, observed, resolve);
    expect(plan.changedComponents.map((c) => c.name)).toEqual(['postfix']);
    expect(formatPlan(plan, diff)).toContain('-a = 0\n+a = 1\n');
  });

  it('never shows a secret: a file with secrets is compared resolved but its diff is withheld', () => {
    const observed = {
      ...converged,
      files: new Map(converged.files).set('/etc/dovecot/sql.conf', {
        content: 'password = old-secret\n',
        owner: 'root',
        group: 'root',
        mode: 0o644,
      }),
    };
    const plan = computePlan(desired, observed, resolve);
    const text = formatPlan(plan, diff);
    expect(plan.files).toHaveLength(1);
    expect(text).toContain('contains secrets');
    expect(text).not.toContain('s3cret-value');
    expect(text).not.toContain('old-secret');
  });

  it('fixes owner and mode without rewriting content', () => {
    const observed = {
      ...converged,
      files: new Map(converged.files).set('/etc/postfix/main.cf', {
        content: 'a = 1\n',
        owner: 'root',
        group: 'root',
        mode: 0o666,
      }),
    };
    expect(computePlan(desired, observed, resolve).files.map((f) => f.kind)).toEqual(['metadata']);
  });

  it('removes a file the last apply managed and no longer renders, reloading its component', () => {
    const observed: ObservedState = {
      ...converged,
      files: new Map(converged.files)
        .set('/etc/postfix/old-map.cf', {
          content: 'x\n',
          owner: 'root',
          group: 'root',
          mode: 0o644,
        })
        .set('/etc/certbot-hook', { content: 'hook\n', owner: 'root', group: 'root', mode: 0o755 }),
      managed: new Map([
        ['/etc/postfix/main.cf', 'postfix'],
        ['/etc/postfix/old-map.cf', 'postfix'],
        ['/etc/certbot-hook', 'certbot'],
        // Managed once, already gone: nothing to remove.
        ['/etc/gone.conf', 'postfix'],
      ]),
    };
    const plan = computePlan(desired, observed, resolve);
    expect(plan.removals).toEqual([
      { path: '/etc/certbot-hook', component: 'certbot', previous: 'hook\n' },
      { path: '/etc/postfix/old-map.cf', component: 'postfix', previous: 'x\n' },
    ]);
    // certbot is no longer a component of this host: nothing of it to reload.
    expect(plan.changedComponents.map((c) => c.name)).toEqual(['postfix']);
    const text = formatPlan(plan, diff);
    expect(text).toContain('- remove file /etc/postfix/old-map.cf (postfix, no longer rendered)');
    expect(text).toContain('2 file(s) to remove');
  });

  it('removes nothing without a manifest (an apply of some files only)', () => {
    const observed: ObservedState = {
      ...converged,
      files: new Map(converged.files).set('/etc/other.cf', {
        content: 'x\n',
        owner: 'root',
        group: 'root',
        mode: 0o644,
      }),
    };
    expect(computePlan(desired, observed, resolve).removals).toEqual([]);
  });

  it('is not empty while a host step has a change, which it shows and counts', () => {
    const plan = {
      ...computePlan(desired, converged, resolve),
      host: [
        {
          kind: 'mailbox' as const,
          action: 'create' as const,
          target: 'a@example.org',
          detail: 'declared in c.yaml:3',
        },
        { kind: 'migration' as const, action: 'run' as const, target: '0001-accounts' },
      ],
    };
    expect(isEmptyPlan(plan)).toBe(false);
    const text = formatPlan(plan, diff);
    expect(text).toContain('+ create mailbox a@example.org (declared in c.yaml:3)');
    expect(text).toContain('! run migration 0001-accounts');
    expect(text).toContain('2 host change(s)');
    expect(planJson(plan)).toMatchObject({ empty: false, host: plan.host, files: [] });
  });
});
