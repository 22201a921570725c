import { createHash } from 'node:crypto';
import type { ArchiveUris } from './apt-sources.js';

/** Bump when the build recipe changes in a way the inputs below do not show. */
export const ROOTFS_RECIPE_VERSION = 1;

export interface RootfsInputs {
  suite: string;
  uris: ArchiveUris;
  base: readonly string[];
  prefetch: readonly string[];
}

/** A short, stable key for a root file system built from these inputs (pure). */
export function rootfsKey(inputs: RootfsInputs): string {
  const canonical = JSON.stringify({
    recipe: ROOTFS_RECIPE_VERSION,
    suite: inputs.suite,
    main: inputs.uris.main,
    security: inputs.uris.security ?? null,
    base: [...inputs.base].sort(),
    prefetch: [...inputs.prefetch].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Bump when the checker root's recipe changes in a way its inputs do not show. */
export const CHECKER_ROOT_RECIPE_VERSION = 1;

export interface CheckerRootInputs {
  /** The lab root it is a copy of: a new lab root means new package versions. */
  rootfsKey: string;
  /** What is installed into the copy. */
  packages: readonly string[];
}

/** A short, stable key for a checker root made from these inputs (pure). */
export function checkerRootKey(inputs: CheckerRootInputs): string {
  const canonical = JSON.stringify({
    recipe: CHECKER_ROOT_RECIPE_VERSION,
    rootfs: inputs.rootfsKey,
    packages: [...inputs.packages].sort(),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
