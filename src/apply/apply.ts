import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createTwoFilesPatch } from 'diff';
import { resolveSecretRefs } from '../render/host-context.js';
import type { RenderedFile } from '../render/types.js';
import { unitsAfterFailedApply } from '../plan/failed-apply-units.js';
import { computePlan, formatPlan, isEmptyPlan, type Plan } from '../plan/plan.js';
import type { HostChange, HostStep } from '../plan/host-steps.js';
import type { DesiredState, ObservedState } from '../plan/desired-state.js';
import { mustRun, run } from '../util/exec.js';
import { isUserError, UserError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { readManagedFiles, recordHistory } from './history.js';
import { installChanges, removeFiles, restore, type Undo } from './install.js';
import { checkInterrupted, interrupted, trapInterrupts } from './interrupt.js';
import { observe } from './observe.js';
import { ensureSecrets, readSecret, SECRETS_DIR } from './secrets.js';
import { checkStaged } from './stage.js';

export interface ApplyOptions {
  /** Checks of the host that must pass before apply changes anything. */
  preflight?: () => Promise<void>;
  /** Keys, certificates, database, accounts, units: each in its phase (host-steps.ts). */
  steps?: readonly HostStep[];
  /**
   * The desired files are all the files this host should have from mailctl: a file the
   * last complete apply managed and that is not among them is removed. Not for applies of
   * some files only (vpn peer add).
   */
  complete?: boolean;
}

export interface ApplyResult {
  plan: Plan;
  changed: boolean;
  commit?: string;
  notes: string[];
}

async function observeSteps(steps: readonly HostStep[]): Promise<HostChange[]> {
  const changes: HostChange[] = [];
  for (const s of steps) changes.push(...(await s.observe()));
  return changes;
}

/** Runs the steps of one phase, each observed again just before; returns what changed. */
async function runSteps(
  steps: readonly HostStep[],
  phase: HostStep['phase'],
  progress: Progress,
  notes: string[],
): Promise<HostChange[]> {
  const applied: HostChange[] = [];
  for (const step of steps.filter((s) => s.phase === phase)) {
    checkInterrupted();
    const changes = await step.observe();
    if (changes.length === 0) continue;
    progress.step(`${step.name}: ${changes.length} change(s)`);
    notes.push(...(await step.apply(changes)));
    applied.push(...changes);
  }
  return applied;
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

export async function planHost(
  desired: DesiredState,
  options: ApplyOptions = {},
): Promise<{ plan: Plan; text: string }> {
  const managed = options.complete ? await readManagedFiles() : undefined;
  const plan = computePlan(desired, await observe(desired, managed), resolver(true));
  plan.host = await observeSteps(options.steps ?? []);
  return { plan, text: formatPlan(plan, unifiedDiff) };
}

/**
 * Converges this host to the desired state: packages, users, directories, files checked by
 * their daemons before they go live, then reload; on any failure after installing, the
 * previous files come back and the services are reloaded on them.
 */
export async function applyHost(
  desired: DesiredState,
  options: ApplyOptions,
  progress: Progress,
  /** The first line of the history commit, when it is not a plain apply (a rollback, say). */
  historyTitle?: string,
): Promise<ApplyResult> {
  const untrap = trapInterrupts();
  try {
    return await converge(desired, options, progress, historyTitle);
  } finally {
    untrap();
  }
}

async function converge(
  desired: DesiredState,
  options: ApplyOptions,
  progress: Progress,
  historyTitle: string | undefined,
): Promise<ApplyResult> {
  const notes: string[] = [];
  const steps = options.steps ?? [];
  await options.preflight?.();
  const managed = options.complete ? await readManagedFiles() : undefined;
  const firstObserved = await observe(desired, managed);
  let plan = computePlan(desired, firstObserved, resolver(true));
  checkInterrupted();

  const host = await runSteps(steps, 'before-packages', progress, notes);
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
  host.push(...(await runSteps(steps, 'before-files', progress, notes)));
  checkInterrupted();

  // Package installs create and change files; plan the files again against what is there now.
  const observed = await observe(desired, managed);
  plan = {
    ...computePlan(desired, observed, resolver(false)),
    packages: plan.packages,
    users: plan.users,
    directories: plan.directories,
    permissions: plan.permissions,
  };
  injectFaultForTests(plan, desired, observed.files);

  if (plan.files.length || plan.removals.length) {
    if (plan.changedComponents.length)
      progress.step(
        `checking ${plan.changedComponents.map((c) => c.name).join(', ')} with their own checkers`,
      );
    await checkStaged(
      plan.files,
      plan.changedComponents,
      plan.removals.map((r) => r.path),
    );
    checkInterrupted();
    progress.step(
      `installing ${plan.files.length} file(s), removing ${plan.removals.length} no longer rendered`,
    );
    const undo = await installChanges(plan.files, (p) => observed.files.get(p));
    try {
      undo.push(...(await removeFiles(plan.removals, (p) => observed.files.get(p))));
      await pauseForTests('after-install');
      checkInterrupted();
      await activate(plan, progress);
      checkInterrupted();
    } catch (e) {
      const cause = isUserError(e) && e.code === 'E_APPLY_INTERRUPTED' ? e : undefined;
      progress.step(`${cause ? 'interrupted' : 'activation failed'}: restoring the previous files`);
      await rollBackUnits(plan, firstObserved, undo, progress);
      throw new UserError(
        cause?.code ?? 'E_APPLY_ROLLED_BACK',
        `${(e as Error).message}; the previous configuration was restored`,
        { cause: e, exitCode: cause?.exitCode ?? 1 },
      );
    }
  } else if (plan.unitsToEnable.length) {
    await activate(plan, progress);
  }
  // The files are live from here on: recorded before the steps after activation, which
  // may fail on their own (an ACME CA out of reach) without undoing them.
  let commit: string | undefined;
  // Also a first complete apply on a host that has no manifest yet: it records one.
  if (!isEmptyPlan(plan) || (managed && managed.size === 0)) {
    const summary = [
      ...plan.files.map((f) => `${f.kind} ${f.file.path}`),
      ...plan.removals.map((r) => `remove ${r.path}`),
    ].join('\n');
    commit = await recordHistory(
      desired.files,
      `${historyTitle ?? 'mailctl apply'}: ${plan.files.length} file(s) changed${plan.removals.length ? `, ${plan.removals.length} removed` : ''}\n\n${summary}\n`,
      options.complete,
    );
  }
  host.push(...(await runSteps(steps, 'after-activate', progress, notes)));
  plan.host = host;

  const changed = !isEmptyPlan(plan) || notes.length > 0;
  return { plan, changed, commit, notes };
}

/**
 * Test hook: MAILCTL_TEST_PAUSE=after-install (with MAILCTL_TEST_HOOKS=1) holds the apply
 * with the new files installed and not yet active, until a signal or 60 s, and says so
 * in /run/mailctl/apply-paused: how a test interrupts an apply at its worst moment.
 */
async function pauseForTests(at: string): Promise<void> {
  if (process.env.MAILCTL_TEST_HOOKS !== '1' || process.env.MAILCTL_TEST_PAUSE !== at) return;
  const marker = '/run/mailctl/apply-paused';
  await mkdir('/run/mailctl', { recursive: true });
  await writeFile(marker, `${process.pid}\n`);
  const deadline = Date.now() + 60_000;
  while (!interrupted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await rm(marker, { force: true });
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
  if (
    [...plan.files.map((f) => f.file.path), ...plan.removals.map((r) => r.path)].some((p) =>
      p.startsWith('/etc/systemd/'),
    )
  )
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
export async function waitForPort(endpoint: string, timeoutMs: number): Promise<boolean> {
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
