export {
  RESTART_DOVECOT_AUTH_AFTER_POSTGRES,
  renderRestartDropin,
  renderSelfHealing,
  RESTART_DELAY_SECONDS,
  RESTART_DROPIN_NAME,
  restartDropinPath,
  selfHealingComponent,
  selfHealingComponentFor,
  START_LIMIT,
  supervisedUnits,
} from './restart-dropins.js';
