/** junit.xml: well-formed whatever the strings, one suite per requirement, failures where the run fails. */
import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText } from '../render/escape.js';
import { renderJunit } from '../render/junit.js';
import { failingReport, HOSTILE, hostileReport, passingReport } from './fixtures.js';
import { findAll, parseXml, textOf, type XmlElement } from './xmlWellFormed.js';

function suiteNamed(root: XmlElement, name: string): XmlElement {
  const suite = findAll(root, 'testsuite').find((s) => s.attrs.name === name);
  if (!suite) throw new Error(`no testsuite ${name}`);
  return suite;
}

function only(parent: XmlElement, name: string): XmlElement {
  const found = findAll(parent, name);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('xml escaping', () => {
  it('turns markup and control characters into inert, well-formed text', () => {
    const doc = `<a t="${escapeAttribute(HOSTILE)}" u='${escapeAttribute(HOSTILE)}'>${escapeText(HOSTILE)}</a>`;
    const root = parseXml(doc);
    // Control characters, U+FFFE and the lone surrogate are shown as \uXXXX; everything else survives exactly.
    const visible = HOSTILE.replace('\u0001\u0008\u000b\u001f\uFFFE', '\\u0001\\u0008\\u000B\\u001F\\uFFFE').replace('\uD800', '\\uD800');
    expect(root.attrs.t).toBe(visible);
    expect(root.attrs.u).toBe(visible);
    expect(textOf(root)).toBe(visible);
    expect(root.children).toHaveLength(1);
  });

  it('the well-formedness check itself rejects broken XML', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a t="x"y="z"/>')).toThrow();
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/entity/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a t="<"/>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
  });
});

describe('renderJunit', () => {
  it('is well-formed for every fixture, hostile strings included', () => {
    for (const report of [passingReport, failingReport, hostileReport()]) {
      const root = parseXml(renderJunit(report));
      expect(root.name).toBe('testsuites');
    }
  });

  it('keeps hostile strings as text: no element is injected', () => {
    const root = parseXml(renderJunit(hostileReport()));
    expect(findAll(root, 'script')).toHaveLength(0);
    const limit = suiteNamed(root, 'LIMIT-01 (MUST)');
    const failure = only(limit, 'failure');
    expect(textOf(failure)).toContain('<script>alert("x")</script>');
    expect(failure.attrs.message).toContain(`& 'quote'`);
  });

  it('has one suite per requirement and one testcase per citing check', () => {
    const root = parseXml(renderJunit(passingReport));
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(passingReport.requirements.map((r) => `${r.id} (${r.level})`));
    const limit2 = suiteNamed(root, 'LIMIT-02 (MUST)');
    const [testcase] = findAll(limit2, 'testcase');
    expect(testcase.attrs).toMatchObject({ classname: 'LIMIT-02', name: 'path-fifth-link-003: A fifth companion is refused with LIMIT_REACHED', time: '0.013' });
    expect(root.attrs).toMatchObject({ tests: '9', failures: '0', errors: '0', time: '4.210' });
  });

  it('a failing MUST: <failure> with the path step by step and the replay command', () => {
    const root = parseXml(renderJunit(failingReport));
    const failure = only(suiteNamed(root, 'LIMIT-01 (MUST)'), 'failure');
    const text = textOf(failure);
    expect(failure.attrs.message).toContain('node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only path-fifth-link-003');
    expect(text).toContain('first difference at step 5');
    expect(text).toContain('  1. ✓ SCAN_QR A.c1 by A.primary (live, id check pass)');
    expect(text).toContain('  5. ✗ SCAN_QR A.c5 by A.primary (live, id check pass)\n       expected: refused LIMIT_REACHED');
    expect(text).toContain('deviceListVersion.A: expected 5, actual 6');
    expect(text).toContain('Replay:\n  node bin/linkspec.mjs run');
  });

  it('failures that do not fail the run are skipped with the reason and the evidence in system-out', () => {
    const root = parseXml(renderJunit(failingReport));
    const should = suiteNamed(root, 'PAIR-04 (SHOULD)');
    expect(findAll(should, 'failure')).toHaveLength(0);
    expect(only(should, 'skipped').attrs.message).toMatch(/^failed, not counted \(non-strict/);
    expect(textOf(only(should, 'system-out'))).toContain('Seed: 1337, counterexample path: 7:2:1');
    const baselined = suiteNamed(root, 'AUTH-02 (MUST)');
    expect(findAll(baselined, 'failure')).toHaveLength(0);
    expect(only(baselined, 'skipped').attrs.message).toContain('accepted by the baseline');
    // LIMIT-02's check failed on LIMIT-01: not LIMIT-02's failure.
    expect(only(suiteNamed(root, 'LIMIT-02 (MUST)'), 'skipped').attrs.message).toContain('attributed to LIMIT-01');
  });

  it('skipped checks, uncovered requirements and stale baseline entries', () => {
    const root = parseXml(renderJunit(failingReport));
    expect(only(suiteNamed(root, 'HIST-01 (MUST)'), 'skipped').attrs.message).toBe("the adapter lacks capability 'history' (a new companion receives the primary's history)");
    const uncovered = suiteNamed(root, 'EXP-04 (SHOULD)');
    expect(only(uncovered, 'testcase').attrs.name).toBe('EXP-04: no check exercises this requirement');
    const baseline = suiteNamed(root, 'baseline linkspec.baseline.json');
    expect(only(baseline, 'failure').attrs.message).toContain('EXP-01 is listed in linkspec.baseline.json but no longer fails');
  });

  it('counts add up at every level', () => {
    const root = parseXml(renderJunit(failingReport));
    const suites = findAll(root, 'testsuite');
    let tests = 0;
    let failures = 0;
    let skipped = 0;
    for (const suite of suites) {
      const cases = findAll(suite, 'testcase');
      expect(Number(suite.attrs.tests)).toBe(cases.length);
      expect(Number(suite.attrs.failures)).toBe(cases.filter((c) => findAll(c, 'failure').length > 0).length);
      expect(Number(suite.attrs.skipped)).toBe(cases.filter((c) => findAll(c, 'skipped').length > 0).length);
      const ms = cases.reduce((sum, c) => sum + Number(c.attrs.time), 0);
      expect(Number(suite.attrs.time)).toBeCloseTo(ms, 2);
      tests += cases.length;
      failures += Number(suite.attrs.failures);
      skipped += Number(suite.attrs.skipped);
    }
    expect(root.attrs).toMatchObject({ tests: String(tests), failures: String(failures) });
    expect(skipped).toBeGreaterThan(0);
    // The failures are exactly what makes the run non-conformant: LIMIT-01 and the stale EXP-01 entry.
    expect(failures).toBe(2);
  });
});
