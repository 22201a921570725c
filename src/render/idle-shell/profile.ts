import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const IDLE_SHELL_PATH = '/etc/profile.d/mailctl-idle-logout.sh';
/** Seconds a login shell may wait at its prompt before it exits. */
export const IDLE_SHELL_SECONDS = 900;

/**
 * A root shell left open on a laptop is a root shell for whoever sits down at it next.
 * bash (and ksh) exit when TMOUT seconds pass at the prompt with no input; a command that
 * is running is never interrupted. sshd's ClientAlive settings only notice dead
 * connections, not idle ones. readonly, so a login cannot switch it off; a nested login
 * shell finds it already set and leaves it.
 */
export function renderIdleShell(): RenderedFile[] {
  const content = `${generatedHeader()}
if [ "\${TMOUT:-}" != ${IDLE_SHELL_SECONDS} ]; then
  TMOUT=${IDLE_SHELL_SECONDS}
fi
readonly TMOUT
export TMOUT
`;
  return [rootFile('idle-shell', IDLE_SHELL_PATH, content)];
}

export const idleShellComponent: ComponentDescriptor = {
  name: 'idle-shell',
  packages: [],
  // Read by each login shell as it starts: nothing to reload.
  units: [],
  onChange: 'restart',
  // The shell's own parser, without running anything (/etc/profile sources it with sh).
  check: ['sh', '-n', IDLE_SHELL_PATH],
};
