export {
  CORE_LIMITS_PATH,
  CORE_SYSTEMD_PATH,
  coreDumpsComponent,
  renderCoreDumpLimits,
} from './limits.js';
