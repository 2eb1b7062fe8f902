import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests share nothing but the CPU; SQLite files live in per-test temp dirs.
    pool: 'forks',
    testTimeout: 20_000,
  },
});
