// Bundles the CLI into one file that runs on Debian 13's nodejs (20.19) with no node_modules,
// so that it can be copied onto a host as-is.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/mailctl.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  sourcemap: 'inline',
  legalComments: 'none',
  logLevel: 'warning',
});
