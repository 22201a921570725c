export {
  inReleaseUrl,
  openpgpFingerprint,
  WAZUH_KEY_FINGERPRINT,
  WAZUH_KEY_URL,
  WAZUH_KEYRING_PATH,
  WAZUH_PACKAGE,
  WAZUH_PREFERENCES_PATH,
  WAZUH_REPOSITORY,
  WAZUH_SOURCES_PATH,
} from './apt-source.js';
export { renderWazuh, WAZUH_MANAGER_FILES_DIR, wazuhComponent } from './component.js';
export type { WazuhContext } from './context.js';
export { REPLACED_DECODER_FILES, WAZUH_DECODERS, type WazuhDecoder } from './decoders.js';
export { AUTHD_PASS_SECRET, OSSEC_CONF_PATH, OSSEC_DIR } from './ossec-conf.js';
export { DEFAULT_WAZUH_THRESHOLDS, HEALTH_LOG, type WazuhThresholds } from './rules.js';
