/**
 * The Terraform provider the module is written for. Its arguments are checked in the tests
 * against test/fixtures/provision/vultr-provider-<version>.json, copied from the provider's
 * own documentation at that version: change both together.
 */
export const VULTR_PROVIDER = { source: 'vultr/vultr', version: '2.32.0' } as const;

/**
 * Debian 13 as Vultr's OS list names it (`GET /v2/os`), matched by the vultr_os data source
 * rather than a numeric id that differs between clouds and is easy to get wrong.
 */
export const DEBIAN_13_OS_NAME = 'Debian 13 x64 (trixie)';

/** Terraform 1.5 or OpenTofu 1.6: lifecycle preconditions and `//` comments in JSON. */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.5.0';
