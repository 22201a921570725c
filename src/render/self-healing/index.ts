export {
  renderRestartDropin,
  renderSelfHealing,
  RESTART_DELAY_SECONDS,
  RESTART_DROPIN_NAME,
  restartDropinPath,
  selfHealingComponent,
  START_LIMIT,
  supervisedUnits,
} from './restart-dropins.js';
