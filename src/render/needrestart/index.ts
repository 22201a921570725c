export {
  NEEDRESTART_DROPIN_PATH,
  needrestartComponent,
  renderNeedrestart,
  renderNeedrestartConf,
} from './needrestart-conf.js';
