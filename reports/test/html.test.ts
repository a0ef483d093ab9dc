/** report.html: one self-contained page, everything escaped, every piece of evidence present. */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../render/html.js';
import { failingReport, hostileReport, passingReport, STATECHART_SVG } from './fixtures.js';
import { findAll, parseXml, textOf, type XmlElement } from './xmlWellFormed.js';

function page(html: string): XmlElement {
  // The page is written as well-formed XHTML-style markup, so the strict checker can read it.
  return parseXml(html, { rawText: ['script', 'style'] });
}

function byClass(root: XmlElement, name: string, className: string): XmlElement[] {
  return findAll(root, name).filter((e) => (e.attrs.class ?? '').split(' ').includes(className));
}

describe('renderHtml', () => {
  it('loads nothing from elsewhere: one inline script, inline style, the diagram as a data: image', () => {
    for (const report of [passingReport, failingReport, hostileReport()]) {
      const root = page(renderHtml(report));
      const scripts = findAll(root, 'script');
      expect(scripts).toHaveLength(1);
      expect(scripts[0].attrs.src).toBeUndefined();
      expect(findAll(root, 'link')).toHaveLength(0);
      for (const img of findAll(root, 'img')) expect(img.attrs.src.startsWith('data:image/svg+xml;base64,')).toBe(true);
      for (const a of findAll(root, 'a')) expect(a.attrs.href.startsWith('#')).toBe(true);
      const style = textOf(findAll(root, 'style')[0]);
      expect(style).not.toContain('url(');
      expect(style).not.toContain('@import');
    }
  });

  it('escapes every string: hostile text stays text and the hostile SVG cannot enter the page', () => {
    const html = renderHtml(hostileReport());
    const root = page(html);
    expect(findAll(root, 'script')).toHaveLength(1);
    expect(findAll(root, 'svg')).toHaveLength(0);
    expect(html).not.toContain('<script>alert');
    expect(textOf(findAll(root, 'h1')[0])).toContain('adapter <script>alert("x")</script> & \'quote\'');
    expect(textOf(root)).toContain('\\u0001\\u0008');
  });

  it('top: verdict badge, adapter, profile, seed, duration, counts', () => {
    const root = page(renderHtml(failingReport));
    expect(textOf(byClass(root, 'span', 'badge')[0])).toBe('NON-CONFORMANT');
    const header = findAll(root, 'header')[0];
    expect(header.attrs.class).toBe('run non-conformant');
    const facts = textOf(findAll(header, 'dl')[0]);
    for (const fact of ['bad-five-companions', 'whatsapp', 'primaryDormancy 14 d', '1337', '7.93 s', '7 checks, 241 model steps']) expect(facts).toContain(fact);
    const why = textOf(byClass(header, 'div', 'why')[0]);
    expect(why).toContain('LIMIT-01 (MUST) fails');
    expect(why).toContain('baseline entry EXP-01 is stale');
    expect(textOf(header)).toContain('2 fail');
    expect(textOf(byClass(page(renderHtml(passingReport)), 'span', 'badge')[0])).toBe('CONFORMANT');
  });

  it('each failure: numbered path with the first difference highlighted, differences, replay to copy', () => {
    const root = page(renderHtml(failingReport));
    const articles = byClass(root, 'article', 'failure');
    expect(articles.map((a) => a.attrs.class)).toEqual(['failure standing-counts', 'failure standing-non-strict', 'failure standing-baselined']);
    const limit = articles[0];
    const rows = findAll(findAll(limit, 'tbody')[0], 'tr');
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.attrs.class)).toEqual(['ok', 'ok', 'ok', 'ok', 'failing differs']);
    expect(textOf(findAll(rows[4], 'td')[0])).toBe('5');
    expect(textOf(rows[4])).toContain('first difference');
    expect(textOf(findAll(limit, 'table')[1])).toContain('deviceListVersion.A56');
    const replay = byClass(limit, 'div', 'replay')[0];
    expect(textOf(findAll(replay, 'code')[0])).toBe('node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only path-fifth-link-003');
    expect(findAll(replay, 'button')).toHaveLength(1);
    expect(textOf(articles[1])).toContain('counterexample path 7:2:1');
  });

  it('requirement table: id, level, coloured verdict, text, checks, model elements', () => {
    const root = page(renderHtml(failingReport));
    const section = findAll(root, 'section').find((s) => s.attrs.id === 'requirements')!;
    const rows = findAll(findAll(section, 'tbody')[0], 'tr');
    expect(rows).toHaveLength(failingReport.requirements.length);
    const limit = rows.find((r) => textOf(r).startsWith('LIMIT-01'))!;
    expect(limit.attrs.class).toBe('row-fail');
    expect(byClass(limit, 'span', 'v-fail')).toHaveLength(1);
    expect(findAll(limit, 'a')[0].attrs.href).toBe('#check-3');
    expect(findAll(root, 'article').find((a) => a.attrs.id === 'check-3')).toBeDefined();
    expect(textOf(limit)).toContain('account.full');
    const auth = rows.find((r) => textOf(r).startsWith('AUTH-02'))!;
    expect(byClass(auth, 'span', 'v-baselined')).toHaveLength(1);
  });

  it('long lists fold: the first model elements show, the rest open on demand', () => {
    const elements = Array.from({ length: 12 }, (_, i) => `A.registered/element${i}`);
    const report = { ...failingReport, requirements: [{ ...failingReport.requirements[0], modelElements: elements }] };
    const row = findAll(findAll(page(renderHtml(report)), 'tbody').find((b) => textOf(b).startsWith('PAIR-01'))!, 'tr')[0];
    const cell = byClass(row, 'td', 'elements')[0];
    expect(findAll(cell, 'code')).toHaveLength(12);
    const details = findAll(cell, 'details');
    expect(details).toHaveLength(1);
    expect(textOf(findAll(details[0], 'summary')[0])).toBe('4 more');
    expect(findAll(details[0], 'code').map(textOf)).toEqual(elements.slice(8));
  });

  it('profile parameters read as words: nested names dotted, durations in units', () => {
    const report = { ...passingReport, profile: { name: 'whatsapp', primaryDormancyMs: 1_209_600_000, qr: { firstRefMs: 60_000, nextRefMs: 20_000, refCount: 6 } } };
    const facts = textOf(findAll(findAll(page(renderHtml(report)), 'header')[0], 'dl')[0]);
    expect(facts).toContain('primaryDormancy 14 d, qr.firstRef 1 min, qr.nextRef 20 s, qr.refCount 6');
  });

  it('statechart with legend, or a plain statement that there is none', () => {
    const root = page(renderHtml(failingReport));
    const img = findAll(root, 'img')[0];
    expect(Buffer.from(img.attrs.src.split(',')[1], 'base64').toString('utf8')).toBe(STATECHART_SVG);
    expect(textOf(byClass(root, 'div', 'legend')[0])).toContain('uncovered');
    const { statechartSvg: _svg, ...withoutSvg } = failingReport;
    const none = page(renderHtml(withoutSvg));
    expect(findAll(none, 'img')).toHaveLength(0);
    expect(textOf(none)).toContain('carries no statechart diagram');
  });

  it('coverage, skipped checks, baseline outcome', () => {
    const text = textOf(page(renderHtml(failingReport)));
    expect(text).toContain('States: 2 of 3 (66.6%)');
    expect(text).toContain('companion.signedOut');
    expect(text).toContain('linked → signedOut on ADVANCE_CLOCK');
    expect(text).toContain("the adapter lacks capability 'history'");
    expect(text).toContain('StaleEXP-01');
    const passing = textOf(page(renderHtml(passingReport)));
    expect(passing).toContain('No check was skipped.');
    expect(passing).toContain('No baseline was used');
    expect(passing).not.toContain('Failures (');
  });
});
