import type { ComponentDescriptor } from '../types.js';

export const nginxComponent: ComponentDescriptor = {
  name: 'nginx',
  packages: ['nginx'],
  units: ['nginx.service'],
  // `nginx -s reload` (the unit's ExecReload) starts workers on the new configuration and
  // certificates and lets the old ones finish their requests; a configuration that does
  // not load leaves the old workers serving.
  onChange: 'reload',
  // `nginx -t` parses the whole configuration with every include, loads each
  // ssl_certificate and key, and checks that the listen sockets are consistent; it does not
  // bind them, so it works while the live nginx holds the ports. -q keeps only errors.
  check: ['nginx', '-t', '-q'],
};
