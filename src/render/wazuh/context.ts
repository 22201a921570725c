import type { WazuhThresholds } from './rules.js';

/** The Wazuh agent's settings (monitoring.wazuh in the cluster file), for the renderers. */
export interface WazuhContext {
  /** The manager's address inside the VPN: events (port) and enrollment go over the tunnel. */
  manager: string;
  port: number;
  enrollmentPort: number;
  /** The name the agent enrolls under; the host's short name unless the file says otherwise. */
  agentName: string;
  /** Agent groups on the manager the agent asks to join at enrollment. */
  groups: readonly string[];
  /** Wazuh's apt repository (or a mirror of it): the URL apt's sources name, ending in /. */
  repository: string;
  thresholds: WazuhThresholds;
}
