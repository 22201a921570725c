export {
  PWQUALITY_DROPIN_PATH,
  pwqualityComponent,
  renderPwquality,
  renderPwqualityConf,
} from './pwquality-conf.js';
