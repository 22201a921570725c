export {
  IDLE_SHELL_PATH,
  IDLE_SHELL_SECONDS,
  idleShellComponent,
  renderIdleShell,
} from './profile.js';
