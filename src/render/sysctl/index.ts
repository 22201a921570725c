export {
  NETWORK_SYSCTLS,
  renderSysctl,
  renderSysctlHardening,
  sysctlComponent,
  SYSCTL_PATH,
} from './hardening.js';
