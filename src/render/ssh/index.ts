export { renderSsh, renderSshdConfig, sshComponent, SSHD_DROPIN_PATH } from './sshd-config.js';
