export {
  HEALTH_INTERVAL,
  HEALTH_LOG,
  HEALTH_UNIT,
  healthComponent,
  renderHealthTimer,
} from './health-timer.js';
export {
  HEALTH_PROBE_LOCAL_PART,
  HEALTH_PROBE_SECRET,
  healthProbeAddress,
} from './probe-mailbox.js';
