import { secretRef } from '../host-context.js';
import { rootFile, type ComponentDescriptor, type RenderedFile } from '../types.js';
import {
  renderWazuhPreferences,
  renderWazuhSources,
  WAZUH_PACKAGE,
  WAZUH_PREFERENCES_PATH,
  WAZUH_SOURCES_PATH,
} from './apt-source.js';
import type { WazuhContext } from './context.js';
import { renderLocalDecoders } from './decoders.js';
import {
  AUTHD_PASS_PATH,
  AUTHD_PASS_SECRET,
  OSSEC_CONF_PATH,
  OSSEC_DIR,
  renderOssecConf,
} from './ossec-conf.js';
import { renderLocalRules } from './rules.js';

/** Where mailctl leaves the manager's decoders and rules for the administrator to copy. */
export const WAZUH_MANAGER_FILES_DIR = '/etc/mailctl/wazuh';

/**
 * The agent reads its configuration and the enrollment password as group wazuh (the
 * package's default ownership); the password is the manager's, so no one else may read it.
 */
const agentFile = (path: string, content: string): RenderedFile => ({
  path,
  content,
  mode: 0o640,
  owner: 'root',
  group: 'wazuh',
  component: 'wazuh',
});

/** Everything the Wazuh agent needs on the host, and the manager's files (pure). */
export function renderWazuh(w: WazuhContext): RenderedFile[] {
  const file = (path: string, content: string) => rootFile('wazuh', path, content);
  return [
    file(WAZUH_SOURCES_PATH, renderWazuhSources(w.repository)),
    file(WAZUH_PREFERENCES_PATH, renderWazuhPreferences(w.repository)),
    agentFile(OSSEC_CONF_PATH, renderOssecConf(w)),
    agentFile(AUTHD_PASS_PATH, `${secretRef(AUTHD_PASS_SECRET)}\n`),
    file(`${WAZUH_MANAGER_FILES_DIR}/local_decoder.xml`, renderLocalDecoders()),
    file(`${WAZUH_MANAGER_FILES_DIR}/local_rules.xml`, renderLocalRules(w.thresholds)),
  ];
}

/**
 * Each agent daemon's own configuration test (-t parses ossec.conf as the daemon would and
 * exits): the client and enrollment, the log collector, file integrity and rootcheck.
 */
const CHECK = ['wazuh-agentd', 'wazuh-logcollector', 'wazuh-syscheckd']
  .map((d) => `${OSSEC_DIR}/bin/${d} -t`)
  .join(' && ');

export const wazuhComponent: ComponentDescriptor = {
  name: 'wazuh',
  // From Wazuh's repository (apt-source.ts), which apply adds before installing packages.
  packages: [WAZUH_PACKAGE],
  units: ['wazuh-agent.service'],
  // The agent reads ossec.conf at start only.
  onChange: 'restart',
  check: ['sh', '-c', CHECK],
};
