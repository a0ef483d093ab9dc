/**
 * The vitest config Stryker runs (stryker.config.json, `npm run mutation`): only the conformance
 * suite against the reference (selftest/referenceSuite.mutation.ts), so that a mutant of
 * reference/ survives exactly when the suite does not notice it. Not part of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['selftest/referenceSuite.mutation.ts'],
    exclude: ['node_modules/**', 'reports/out/**', '.stryker-tmp/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
