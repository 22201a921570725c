import { execFileSync } from 'node:child_process';
import { ensureHostPackages } from '../../src/lab/host-tools.js';
import { silentProgress } from '../../src/util/progress.js';
import { downSharedLab } from './support/shared-lab.js';

/** Debian packages the test clients use on this machine (the lab installs its own). */
const TEST_HOST_PACKAGES = [
  'python3-dkim',
  'curl',
  'openssl',
  // The webmail tests' browser, driven by playwright-core (which never downloads one).
  'chromium',
  // The hardening tests' port scanner and SSH client, run in the lab's namespaces.
  'nmap',
  'openssh-client',
  // The TLS scan of `mailctl audit --remote`, run from the internet namespace.
  'testssl.sh',
  // ansible.test runs ansible/mailctl.yml with Debian's Ansible, as an administrator would.
  'ansible-core',
];

/** The end-to-end tests drive the bundled CLI, exactly what an administrator copies to a host. */
export async function setup(): Promise<void> {
  // The workers inherit it: the shared lab's boot is marked as this run's (shared-lab.ts).
  process.env.MAILCTL_E2E_RUN = String(process.pid);
  await ensureHostPackages(TEST_HOST_PACKAGES, silentProgress);
  // scripts/test-all builds once for its two parallel runs (neither may rewrite the bundle
  // while the other's lab copies it).
  if (process.env.MAILCTL_E2E_BUILT !== '1')
    execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
}

/** The shared lab outlives the files that use it; it goes when the run ends. */
export function teardown(): void {
  downSharedLab();
}
