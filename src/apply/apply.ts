import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createTwoFilesPatch } from 'diff';
import { resolveSecretRefs } from '../render/host-context.js';
import type { RenderedFile } from '../render/types.js';
import { unitsAfterFailedApply } from '../plan/failed-apply-units.js';
import { computePlan, formatPlan, isEmptyPlan, type Plan } from '../plan/plan.js';
import type { DesiredState, ObservedState } from '../plan/desired-state.js';
import { mustRun, run } from '../util/exec.js';
import { UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { recordHistory } from './history.js';
import { installChanges, restore, type Undo } from './install.js';
import { observe } from './observe.js';
import { ensureSecrets, readSecret, SECRETS_DIR } from './secrets.js';
import { checkStaged } from './stage.js';

export interface ApplyHooks {
  /** Checks of the host that must pass before apply changes anything. */
  preflight?: () => Promise<void>;
  /** Host steps the new files rely on (TLS certificate, DKIM keys); run after packages. */
  beforeFiles?: () => Promise<void>;
  /** Steps that need the services running (database migrations, seeding accounts). */
  afterActivate?: () => Promise<string[]>;
}

export interface ApplyResult {
  plan: Plan;
  changed: boolean;
  commit?: string;
  notes: string[];
}

const unifiedDiff = (before: string, after: string, path: string) =>
  createTwoFilesPatch(path, path, before, after, 'live', 'rendered', { context: 2 })
    .split('\n')
    .slice(2)
    .map((l) => `    ${l}`)
    .join('\n');

/** Resolves secret tokens; in a dry run a secret that does not exist yet reads as a placeholder. */
function resolver(dryRun: boolean) {
  return (file: RenderedFile) =>
    resolveSecretRefs(file.content, (name) =>
      dryRun && !existsSync(`${SECRETS_DIR}/${name}`) ? '<new secret>' : readSecret(name),
    );
}

export async function planHost(desired: DesiredState): Promise<{ plan: Plan; text: string }> {
  const plan = computePlan(desired, await observe(desired), resolver(true));
  return { plan, text: formatPlan(plan, unifiedDiff) };
}

/**
 * Converges this host to the desired state: packages, users, directories, files checked by
 * their daemons before they go live, then reload; on any failure after installing, the
 * previous files come back and the services are reloaded on them.
 */
export async function applyHost(
  desired: DesiredState,
  hooks: ApplyHooks,
  progress: Progress,
  /** The first line of the history commit, when it is not a plain apply (a rollback, say). */
  historyTitle?: string,
): Promise<ApplyResult> {
  const notes: string[] = [];
  await hooks.preflight?.();
  const firstObserved = await observe(desired);
  let plan = computePlan(desired, firstObserved, resolver(true));

  if (plan.packages.length) {
    progress.step(`installing ${plan.packages.length} package(s): ${plan.packages.join(' ')}`);
    await installPackages(plan.packages);
  }
  for (const u of plan.users) {
    progress.step(`creating user ${u.name}`);
    if ((await run('getent', ['group', u.group])).code !== 0)
      await mustRun('groupadd', ['-g', String(u.gid), u.group]);
    await mustRun('useradd', [
      '-u',
      String(u.uid),
      '-g',
      u.group,
      '-d',
      u.home,
      '-M',
      '-s',
      '/usr/sbin/nologin',
      u.name,
    ]);
  }
  for (const d of plan.directories) {
    await mkdir(d.path, { recursive: true });
    await mustRun('chown', [`${d.owner}:${d.group}`, d.path]);
    await chmod(d.path, d.mode);
  }
  for (const p of plan.permissions) {
    // The packages installed above made these files; one still missing is a package that
    // no longer makes it, which the desired state must learn about.
    if (!existsSync(p.path))
      throw new UserError(
        'E_PACKAGE_FILE_MISSING',
        `${p.path} should exist after installing packages`,
        {
          exitCode: 1,
        },
      );
    await mustRun('chown', [`${p.owner}:${p.group}`, p.path]);
    await chmod(p.path, p.mode);
  }
  const created = await ensureSecrets(desired.files);
  if (created.length) notes.push(`generated ${created.length} secret(s) in ${SECRETS_DIR}`);
  await hooks.beforeFiles?.();

  // Package installs create and change files; plan the files again against what is there now.
  const observed = await observe(desired);
  plan = {
    ...computePlan(desired, observed, resolver(false)),
    packages: plan.packages,
    users: plan.users,
    directories: plan.directories,
    permissions: plan.permissions,
  };
  injectFaultForTests(plan, desired, observed.files);

  if (plan.files.length) {
    progress.step(
      `checking ${plan.changedComponents.map((c) => c.name).join(', ')} with their own checkers`,
    );
    await checkStaged(plan.files, plan.changedComponents);
    progress.step(`installing ${plan.files.length} file(s)`);
    const undo = await installChanges(plan.files, (p) => observed.files.get(p));
    try {
      await activate(plan, progress);
    } catch (e) {
      progress.step('activation failed: restoring the previous files');
      await rollBackUnits(plan, firstObserved, undo, progress);
      throw new UserError(
        'E_APPLY_ROLLED_BACK',
        `${(e as Error).message}; the previous configuration was restored`,
        {
          cause: e,
          exitCode: 1,
        },
      );
    }
  } else if (plan.unitsToEnable.length) {
    await activate(plan, progress);
  }
  // The files are live from here on: recorded before the steps after activation, which
  // may fail on their own (an ACME CA out of reach) without undoing them.
  let commit: string | undefined;
  if (!isEmptyPlan(plan)) {
    const summary = plan.files.map((f) => `${f.kind} ${f.file.path}`).join('\n');
    commit = await recordHistory(
      desired.files,
      `${historyTitle ?? 'mailctl apply'}: ${plan.files.length} file(s) changed\n\n${summary}\n`,
    );
  }
  notes.push(...((await hooks.afterActivate?.()) ?? []));

  const changed = !isEmptyPlan(plan) || notes.length > 0;
  return { plan, changed, commit, notes };
}

/**
 * Puts the units back as they were when apply began, around restoring the files: a unit
 * this apply created or enabled goes before its file does, a daemon that was not running
 * is stopped again, and the ones that were running are restarted on the restored files.
 */
async function rollBackUnits(
  plan: Plan,
  before: ObservedState,
  undo: readonly Undo[],
  progress: Progress,
): Promise<void> {
  const units = unitsAfterFailedApply(plan, before);
  for (const unit of units.disable) {
    progress.step(`stopping and disabling ${unit}, which this apply created or enabled`);
    await run('systemctl', ['disable', '--now', unit]);
  }
  await restore(undo);
  await run('systemctl', ['daemon-reload']);
  for (const unit of units.stop) {
    progress.step(`stopping ${unit}, which was not running before this apply`);
    await run('systemctl', ['stop', unit]);
  }
  // A daemon that systemd restarts by itself (memcached: Restart=always) may have
  // crash-looped on the refused files into its start limit, which would refuse the
  // restart on the restored files too.
  await run('systemctl', ['reset-failed', ...units.restart]);
  const restart = new Set(units.restart);
  const changedComponents = plan.changedComponents
    .map((c) => ({ ...c, units: c.units.filter((u) => restart.has(u)) }))
    .filter((c) => c.units.length);
  await activate({ ...plan, changedComponents, unitsToEnable: [] }, progress).catch(
    () => undefined,
  );
}

async function installPackages(packages: readonly string[]): Promise<void> {
  // Debian starts a daemon as soon as its package is installed, with Debian's default
  // configuration (Dovecot would listen on every address). policy-rc.d keeps them stopped
  // until apply has installed and checked our configuration and starts them itself.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy)
    await writeFile(
      policy,
      '#!/bin/sh\n# mailctl apply: no daemon starts during package installation\nexit 101\n',
      { mode: 0o755 },
    );
  try {
    await mustRun('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 30 * 60_000,
    });
  } finally {
    if (!hadPolicy) await rm(policy, { force: true });
  }
}

async function activate(plan: Plan, progress: Progress): Promise<void> {
  // Unit files and drop-ins only count once systemd has re-read them.
  if (plan.files.some((f) => f.file.path.startsWith('/etc/systemd/')))
    await mustRun('systemctl', ['daemon-reload']);
  const toEnable = new Set(plan.unitsToEnable);
  for (const unit of plan.unitsToEnable) {
    progress.step(`enabling and starting ${unit}`);
    await mustRun('systemctl', ['enable', '--now', unit]);
  }
  for (const c of plan.changedComponents) {
    for (const unit of c.units.filter((u) => !toEnable.has(u))) {
      progress.step(`${c.onChange === 'reload' ? 'reloading' : 'restarting'} ${unit}`);
      await mustRun('systemctl', [c.onChange === 'reload' ? 'reload-or-restart' : 'restart', unit]);
    }
  }
  // A reload that the daemon rejects shows up as a unit that is no longer active.
  await new Promise((r) => setTimeout(r, 1500));
  const units = new Set([...plan.changedComponents.flatMap((c) => c.units), ...plan.unitsToEnable]);
  for (const unit of units) {
    const r = await run('systemctl', ['is-active', unit]);
    if (r.stdout.trim() !== 'active') {
      throw new UserError(
        'E_ACTIVATE_FAILED',
        `${unit} is ${r.stdout.trim() || 'not active'} after the change`,
        { exitCode: 1 },
      );
    }
  }
  for (const c of plan.changedComponents) {
    for (const endpoint of c.readyPorts ?? []) {
      progress.step(`waiting for ${c.name} to accept connections on ${endpoint}`);
      if (!(await waitForPort(endpoint, 180_000))) {
        throw new UserError(
          'E_ACTIVATE_FAILED',
          `${c.name} did not start listening on ${endpoint}`,
          { exitCode: 1 },
        );
      }
    }
  }
}

/** True once host:port accepts a TCP connection, false after timeoutMs. */
async function waitForPort(endpoint: string, timeoutMs: number): Promise<boolean> {
  const at = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, at);
  const port = Number(endpoint.slice(at + 1));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * Test hook: MAILCTL_TEST_FAULT='<path>=<text>' appends text to one rendered file, to prove
 * that a broken configuration never goes live. Honoured only together with
 * MAILCTL_TEST_HOOKS=1, so it cannot fire by accident.
 */
function injectFaultForTests(
  plan: Plan,
  desired: DesiredState,
  live: ObservedState['files'],
): void {
  const fault = process.env.MAILCTL_TEST_FAULT;
  if (!fault || process.env.MAILCTL_TEST_HOOKS !== '1') return;
  const at = fault.indexOf('=');
  const [path, text] = [fault.slice(0, at), fault.slice(at + 1)];
  const file = desired.files.find((f) => f.path === path);
  if (!file)
    throw new UserError(
      'E_TEST_FAULT',
      `MAILCTL_TEST_FAULT names ${path}, which apply does not manage`,
    );
  let change = plan.files.find((f) => f.file.path === path);
  if (!change) {
    const previous = live.get(path)?.content;
    change = { file, resolved: resolver(false)(file), kind: 'update', secret: false, previous };
    plan.files.push(change);
    const component = desired.components.find((c) => c.name === file.component);
    if (component && !plan.changedComponents.includes(component))
      plan.changedComponents.push(component);
  }
  change.resolved += `\n${text}\n`;
}
