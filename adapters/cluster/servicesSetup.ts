/**
 * vitest globalSetup: probes PostgreSQL, Redis and NATS once per test run and provides
 * `clusterServices` to the test files (inject). In CI (CI=true) a missing service FAILS the run:
 * no silent skip. On a user's machine the cluster tests are skipped and exactly one line says how
 * to enable them.
 */
import type { TestProject } from 'vitest/node';
import { describeMissing, ENABLE_HINT, probeServices } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterServices: boolean;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const missing = describeMissing(await probeServices());
  if (missing && process.env.CI === 'true') throw new Error(`CI=true and the cluster services are required: ${missing}`);
  if (missing) process.stdout.write(`${ENABLE_HINT}\n`);
  project.provide('clusterServices', missing === null);
}
