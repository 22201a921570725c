export {
  kernelModulesComponent,
  MODPROBE_BLACKLIST_PATH,
  renderModprobeBlacklist,
} from './blacklist.js';
