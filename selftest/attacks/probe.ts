// Latency probe in its own process: registers a fresh number, then devices.get every 100 ms for `ms`; prints JSON stats.
import * as L from './lib.ts';
const [url, codesFile, ms, phone] = process.argv.slice(2);
const srv = { url, codesFile } as any;
const { c } = await L.registerNew(srv, phone);
console.log('READY');
const lat: number[] = []; const errs: string[] = [];
const end = Date.now() + Number(ms);
while (Date.now() < end) {
  const t0 = performance.now();
  const r = await c.req('devices.get', { phone }, 10000);
  const dt = performance.now() - t0;
  lat.push(dt); if (!r.ok) errs.push(r.code);
  await L.sleep(Math.max(0, 100 - dt));
}
console.log(JSON.stringify({ n: lat.length, p50: L.pct(lat, 50), p99: L.pct(lat, 99), max: Math.max(...lat), errs: [...new Set(errs)] }));
process.exit(0);
