export { fail2banComponent, renderFail2ban } from './component.js';
export {
  FAIL2BAN_JAIL_PATH,
  FAIL2BAN_SETTINGS_PATH,
  fail2banIgnoreIp,
  renderFail2banJails,
} from './jails.js';
