/**
 * Changes apply makes beyond packages, users, directories and files: the database and its
 * migrations, the accounts the cluster file declares, DKIM keys, certificates, units masked
 * or restarted, files no longer rendered. Each is a step that first observes what it would
 * change (so `mailctl plan` shows it) and then makes exactly those changes, so that a plan
 * that says "No changes" is never followed by an apply that changes something.
 */
export interface HostChange {
  /** What kind of thing changes; the plan groups and counts by it. */
  kind:
    | 'database'
    | 'migration'
    | 'domain'
    | 'mailbox'
    | 'alias'
    | 'send-as'
    | 'dkim-key'
    | 'certificate'
    | 'unit'
    | 'file'
    | 'secret'
    | 'vpn-peer'
    | 'repository'
    | 'package';
  action: 'create' | 'update' | 'remove' | 'run' | 'mask' | 'enable' | 'disable' | 'restart';
  /** What it is about: a mailbox address, a unit name, a path, a migration id. */
  target: string;
  /** Why, or what exactly: "declared in /etc/mailctl/cluster.yaml:31", "quota 2G → 500M". */
  detail?: string;
}

export interface HostStep {
  name: string;
  /**
   * When apply runs it: before any package is installed (an apt repository a package comes
   * from), before the new files go live (keys and certificates the files name), or once the
   * services run (the database, the accounts in it).
   */
  phase: 'before-packages' | 'before-files' | 'after-activate';
  /**
   * What the step would change now. Reads the host and never writes to it; on a host where
   * its service is not there yet (a first apply), it reports everything it would create.
   */
  observe(): Promise<HostChange[]>;
  /** Makes the changes observe reported (observed again just before); returns notes. */
  apply(changes: readonly HostChange[]): Promise<string[]>;
}

const SIGN: Record<HostChange['action'], string> = {
  create: '+',
  update: '~',
  remove: '-',
  run: '!',
  mask: '-',
  enable: '+',
  disable: '-',
  restart: '!',
};

/** One plan line per change, as `mailctl plan` prints them (pure). */
export function formatHostChanges(changes: readonly HostChange[]): string[] {
  return changes.map(
    (c) => `${SIGN[c.action]} ${c.action} ${c.kind} ${c.target}${c.detail ? ` (${c.detail})` : ''}`,
  );
}
