import {
  generatedHeader,
  rootFile,
  type ComponentDescriptor,
  type RenderedFile,
} from '../types.js';

export const DEBSUMS_DEFAULT_PATH = '/etc/default/debsums';

/**
 * Once a week, debsums compares every installed package file (configuration files aside,
 * which mailctl and the administrator change on purpose) with the checksum its package
 * shipped, and reports any that differ to the journal (tag debsums) and in cron's mail to
 * root: a binary changed behind dpkg's back, or a disk that corrupts data. The checksums
 * live on the same disk, so this finds accidents and careless intruders, not careful ones.
 */
export function renderDebsumsDefault(): RenderedFile[] {
  return [rootFile('debsums', DEBSUMS_DEFAULT_PATH, `${generatedHeader()}CRON_CHECK=weekly\n`)];
}

export const debsumsComponent: ComponentDescriptor = {
  name: 'debsums',
  // cron runs /etc/cron.weekly/debsums (process accounting brings cron).
  packages: ['debsums'],
  // Sourced by the cron job each time it runs: nothing to reload.
  units: [],
  onChange: 'restart',
  // The job sources the file with sh: the shell's own parser, without running it.
  check: ['sh', '-n', DEBSUMS_DEFAULT_PATH],
};
