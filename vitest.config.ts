import { defineConfig } from 'vitest/config';

// Two projects, both run by `npm test`:
// - unit: pure library tests, no external programs;
// - integ: tests that start the real tor (loopback-only), GNU patch or python3. They fail
//   with an install hint, never skip, when a program is missing under CI=true.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integ/**'],
          setupFiles: ['test/helpers/setup.ts'],
        },
      },
      {
        test: {
          name: 'integ',
          include: ['test/integ/**/*.test.ts'],
          setupFiles: ['test/helpers/setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
