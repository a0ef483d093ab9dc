import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/out/**', '.stryker-tmp/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PostgreSQL/Redis/NATS probed once: CI fails without them, a user's run skips the cluster tests (one line).
    globalSetup: ['adapters/cluster/servicesSetup.ts'],
  },
});
