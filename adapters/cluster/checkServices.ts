/**
 * `.ci/run`'s service check (issue 13): PostgreSQL, Redis and NATS must answer before the tests
 * run; CI never skips the cluster tests silently. Prints one line per service; exit 1 if any is
 * missing. Run as `node --import tsx adapters/cluster/checkServices.ts`.
 */
import { probeServices, SERVICE_URLS, type ServiceName } from './services.js';

const status = await probeServices();
let missing = 0;
for (const name of Object.keys(status) as ServiceName[]) {
  const problem = status[name];
  if (problem) missing++;
  process.stdout.write(`services: ${name} at ${SERVICE_URLS[name]}: ${problem ? `NOT ANSWERING (${problem})` : 'ok'}\n`);
}
process.exit(missing === 0 ? 0 : 1);
