import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    // A missing or changed golden file (toMatchFileSnapshot) fails the test; CI or not, no
    // run rewrites one by itself. `npm run golden:update` is the one explicit way (-u).
    update: 'none',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          // The checker tests run each daemon's own check (postfix, rspamadm, doveconf ...) in
          // the Debian 13 root: a second or two idle, past vitest's 5 s on a loaded machine.
          testTimeout: 60_000,
        },
      },
      {
        // End-to-end tests share one lab host, so they run one file at a time, in order.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          sequence: { concurrent: false },
          testTimeout: 300_000,
          hookTimeout: 1_800_000,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});

// Vitest reads the default export of its config file.
// eslint-disable-next-line no-restricted-syntax
export default config;
