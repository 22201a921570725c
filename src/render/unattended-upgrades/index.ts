export {
  renderUnattended,
  renderUnattendedUpgrades,
  unattendedUpgradesComponent,
  UNATTENDED_UPGRADES_PATH,
} from './apt-conf.js';
