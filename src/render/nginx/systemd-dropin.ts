import { generatedHeader } from '../types.js';

/**
 * The VPN-side server binds the VPN address, which exists only once wg0 is up: without the
 * ordering nginx would fail to bind at boot and serve nothing at all.
 */
export function renderNginxDropin(): string {
  return `${generatedHeader()}[Unit]\nWants=wg-quick@wg0.service\nAfter=wg-quick@wg0.service\n`;
}
