/**
 * The web companion's script builds (no browser needed): the reference client bundles for
 * Chromium with no Node builtin left in it, and the page serves it with its configuration.
 */
import { describe, expect, it } from 'vitest';
import { pageScript } from './bundle.js';
import { startWebServer } from './webServer.js';

describe('web companion bundle', () => {
  it('builds without Node modules', async () => {
    const script = await pageScript();
    expect(script.length).toBeGreaterThan(10_000);
    expect(script).not.toMatch(/from\s*["']node:|require\(["'](ws|node:crypto|crypto)["']\)/);
    expect(script).toContain('linkspec-config');
  });

  it('serves the page and the script, and nothing else', async () => {
    const web = await startWebServer({ config: { server: 'ws://127.0.0.1:1/</script><script>x' } });
    try {
      const html = await (await fetch(web.url)).text();
      expect(html).toContain('<canvas id="qr"');
      expect(html).not.toContain('</script><script>x');
      const js = await fetch(new URL('/app.js', web.url));
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(new URL('/../etc/passwd', web.url))).status).toBe(404);
      expect((await fetch(web.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await web.close();
    }
  });
});
