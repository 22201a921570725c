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
