/**
 * Two frozen run reports the renderer tests (and the screenshot look) use: a conformant run and a
 * non-conformant one that shows every kind of evidence a report can carry - a MUST failure with a
 * shrunk path, a failing SHOULD (non-strict), a baselined failure, a skipped check, a requirement
 * no check covers, and a stale baseline entry - plus a hostile variant whose every string tries
 * to break out of the markup it lands in.
 */
import type { CheckResult, RequirementResult, RequirementVerdict, RunReport } from '../schema.js';

type Level = RequirementResult['level'];

// A slice of the catalogue (model/requirements.ts), frozen as a report would carry it.
const CATALOGUE: readonly (readonly [string, Level, string])[] = [
  ['PAIR-01', 'MUST', 'A companion starts linking by showing a QR code that carries a server-issued one-time reference, the companion\'s identity public key and a fresh linking secret.'],
  ['PAIR-03', 'MUST', 'A QR reference is single-use: once used or cancelled, scanning it again links nothing.'],
  ['PAIR-04', 'SHOULD', 'QR references expire and rotate (first 60 s, then 20 s each, 6 references); an expired reference links nothing.'],
  ['LIMIT-01', 'MUST', 'At most 4 companions are linked at once. A fifth link fails with a clear error and changes nothing.'],
  ['LIMIT-02', 'MUST', 'Unlinking or signing out a companion frees its slot.'],
  ['AUTH-02', 'MUST', 'A device is trusted only through the primary\'s signature: other clients encrypt nothing to a device the primary did not sign.'],
  ['EXP-01', 'MUST', 'After 14 days of primary dormancy every companion is signed out. Still linked at 14 d − 1 ms; signed out at 14 d.'],
  ['EXP-04', 'SHOULD', 'A companion that is itself idle for 30 days is signed out.'],
  ['HIST-01', 'MUST', 'A newly linked companion receives the existing history from the primary, end-to-end encrypted.'],
];

function requirement(id: string, verdict: RequirementVerdict, checks: string[], extra: Partial<RequirementResult> = {}): RequirementResult {
  const [, level, text] = CATALOGUE.find(([cid]) => cid === id)!;
  const elements: Record<string, string[]> = {
    'PAIR-01': ['companion.showingQr', 'SHOW_QR'],
    'PAIR-03': ['companion.linked', 'SCAN_QR'],
    'PAIR-04': ['companion.showingQr', 'ADVANCE_CLOCK'],
    'LIMIT-01': ['account.full', 'SCAN_QR'],
    'LIMIT-02': ['companion.unlinked', 'UNLINK'],
    'AUTH-02': ['account.deviceList'],
    'EXP-01': ['companion.signedOut', 'ADVANCE_CLOCK'],
    'EXP-04': ['companion.signedOut'],
    'HIST-01': ['companion.linked'],
  };
  return { id, level, text, verdict, checks, modelElements: elements[id] ?? [], ...extra };
}

function check(id: string, title: string, requirements: string[], extra: Partial<CheckResult> = {}): CheckResult {
  return { id, title, kind: 'model-path', requirements, status: 'pass', durationMs: 12.5, steps: 6, ...extra };
}

function summarise(requirements: readonly RequirementResult[], checks: readonly CheckResult[]): RunReport['summary'] {
  const count = (v: RequirementVerdict) => requirements.filter((r) => r.verdict === v).length;
  return {
    requirements: { pass: count('pass'), fail: count('fail'), 'non-strict': count('non-strict'), skipped: count('skipped'), 'not-covered': count('not-covered') },
    checks: {
      total: checks.length,
      pass: checks.filter((c) => c.status === 'pass').length,
      fail: checks.filter((c) => c.status === 'fail').length,
      skipped: checks.filter((c) => c.status === 'skipped').length,
    },
    modelSteps: checks.reduce((n, c) => n + c.steps, 0),
  };
}

/** A small statechart, coloured as the harness colours it (see render/statechartLegend.ts). */
export const STATECHART_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="560" height="150" viewBox="0 0 560 150">
<g font-family="sans-serif" font-size="13">
<rect x="10" y="50" width="120" height="44" rx="10" fill="#c8e6c9" stroke="#2e7d32"/><text x="70" y="77" text-anchor="middle">showingQr</text>
<rect x="200" y="50" width="120" height="44" rx="10" fill="#ffcdd2" stroke="#c62828" stroke-width="3"/><text x="260" y="77" text-anchor="middle">linked</text>
<rect x="430" y="50" width="120" height="44" rx="10" fill="#eeeeee" stroke="#9e9e9e" stroke-dasharray="4 3"/><text x="490" y="77" text-anchor="middle">signedOut</text>
<path d="M130 72 L200 72" stroke="#2e7d32" stroke-width="2"/><text x="165" y="64" text-anchor="middle" font-size="10">SCAN_QR</text>
<path d="M320 72 L430 72" stroke="#9e9e9e" stroke-dasharray="4 3" stroke-width="2"/><text x="375" y="64" text-anchor="middle" font-size="10">ADVANCE_CLOCK</text>
</g></svg>`;

/** The same chart as a fully covered, failure-free run draws it: every element green. */
const ALL_COVERED_SVG = STATECHART_SVG
  .replaceAll('#ffcdd2', '#c8e6c9').replaceAll('#eeeeee', '#c8e6c9')
  .replaceAll('#c62828', '#2e7d32').replaceAll('#9e9e9e', '#2e7d32')
  .replaceAll(' stroke-dasharray="4 3"', '').replaceAll(' stroke-width="3"', '');

const BASE = {
  schemaVersion: '1.1.0',
  tool: { name: 'linkspec', version: '0.1.0' },
  startedAt: '2026-11-25T03:00:00.000Z',
  profile: { name: 'whatsapp', maxCompanions: 4, primaryDormancyMs: 1_209_600_000, companionIdleMs: 2_592_000_000 },
} as const;

const passingChecks: CheckResult[] = [
  check('path-qr-link-001', 'Link one companion by QR', ['PAIR-01']),
  check('path-qr-reuse-002', 'Scanning a used QR reference links nothing', ['PAIR-03']),
  check('prop-qr-rotation', 'QR references rotate and expire on the profile schedule', ['PAIR-04'], { kind: 'property', steps: 480, durationMs: 310 }),
  check('path-fifth-link-003', 'A fifth companion is refused with LIMIT_REACHED', ['LIMIT-01', 'LIMIT-02'], { steps: 9 }),
  check('sec-injected-device', 'Nobody encrypts to a device the server injected', ['AUTH-02'], { kind: 'security', steps: 4 }),
  check('path-dormancy-004', 'Companions signed out at exactly 14 days of primary dormancy', ['EXP-01'], { steps: 7 }),
  check('path-companion-idle-005', 'An idle companion is signed out after 30 days', ['EXP-04']),
  check('path-history-006', 'A new companion receives the history', ['HIST-01'], { steps: 5 }),
];

const passingRequirements: RequirementResult[] = [
  requirement('PAIR-01', 'pass', ['path-qr-link-001']),
  requirement('PAIR-03', 'pass', ['path-qr-reuse-002']),
  requirement('PAIR-04', 'pass', ['prop-qr-rotation']),
  requirement('LIMIT-01', 'pass', ['path-fifth-link-003']),
  requirement('LIMIT-02', 'pass', ['path-fifth-link-003']),
  requirement('AUTH-02', 'pass', ['sec-injected-device']),
  requirement('EXP-01', 'pass', ['path-dormancy-004']),
  requirement('EXP-04', 'pass', ['path-companion-idle-005']),
  requirement('HIST-01', 'pass', ['path-history-006']),
];

export const passingReport: RunReport = {
  ...BASE,
  durationMs: 4_210,
  verdict: 'conformant',
  adapter: { name: 'reference', description: 'The reference implementation, in process.', capabilities: ['qr-image', 'clock', 'offline', 'messaging', 'history', 'server-injection'] },
  options: { seed: 42, runs: 100 },
  summary: summarise(passingRequirements, passingChecks),
  requirements: passingRequirements,
  checks: passingChecks,
  coverage: {
    states: { covered: 3, total: 3, uncovered: [] },
    transitions: { covered: 2, total: 2, uncovered: [] },
  },
  statechartSvg: ALL_COVERED_SVG,
  replay: 'node bin/linkspec.mjs run --adapter reference --seed 42 --runs 100',
};

const FIFTH_LINK_REPLAY = 'node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only path-fifth-link-003';

const failingChecks: CheckResult[] = [
  check('path-qr-link-001', 'Link one companion by QR', ['PAIR-01']),
  check('path-qr-reuse-002', 'Scanning a used QR reference links nothing', ['PAIR-03']),
  check('prop-qr-rotation', 'QR references rotate and expire on the profile schedule', ['PAIR-04'], {
    kind: 'property', status: 'fail', steps: 212, durationMs: 840,
    failure: {
      requirement: 'PAIR-04',
      message: 'An expired QR reference still linked the companion.',
      path: [
        { index: 0, event: 'SHOW_QR A.c1', expected: 'ok, ref #1 shown for 60 s', actual: 'ok, ref #1 shown for 60 s', ok: true },
        { index: 1, event: 'ADVANCE_CLOCK 61 s', expected: 'ok, ref #2 shown', actual: 'ok, ref #2 shown', ok: true },
        { index: 2, event: 'SCAN_QR A.c1 by A.primary (ref #1)', expected: 'refused QR_EXPIRED', actual: 'ok, A.c1 linked', ok: false },
      ],
      failingStep: 2,
      differences: [
        { field: 'result', expected: 'QR_EXPIRED', actual: 'ok' },
        { field: 'devices.A.c1', expected: 'showingQr', actual: 'linked' },
      ],
      seed: 1337,
      counterexamplePath: '7:2:1',
      replay: 'node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only prop-qr-rotation --path "7:2:1"',
    },
  }),
  check('path-fifth-link-003', 'A fifth companion is refused with LIMIT_REACHED', ['LIMIT-01', 'LIMIT-02'], {
    status: 'fail', steps: 6,
    failure: {
      requirement: 'LIMIT-01',
      message: 'A fifth companion was linked: the implementation allows 5 companions, the profile allows 4.',
      path: [
        { index: 0, event: 'SCAN_QR A.c1 by A.primary (live, id check pass)', expected: 'ok, 1 companion', actual: 'ok, 1 companion', ok: true },
        { index: 1, event: 'SCAN_QR A.c2 by A.primary (live, id check pass)', expected: 'ok, 2 companions', actual: 'ok, 2 companions', ok: true },
        { index: 2, event: 'SCAN_QR A.c3 by A.primary (live, id check pass)', expected: 'ok, 3 companions', actual: 'ok, 3 companions', ok: true },
        { index: 3, event: 'SCAN_QR A.c4 by A.primary (live, id check pass)', expected: 'ok, 4 companions', actual: 'ok, 4 companions', ok: true },
        { index: 4, event: 'SCAN_QR A.c5 by A.primary (live, id check pass)', expected: 'refused LIMIT_REACHED; 4 companions; device list v5', actual: 'ok; 5 companions; device list v6', ok: false },
      ],
      failingStep: 4,
      differences: [
        { field: 'result', expected: 'LIMIT_REACHED', actual: 'ok' },
        { field: 'devices.A.c5', expected: 'showingQr', actual: 'linked' },
        { field: 'deviceListVersion.A', expected: '5', actual: '6' },
      ],
      replay: FIFTH_LINK_REPLAY,
    },
  }),
  check('sec-injected-device', 'Nobody encrypts to a device the server injected', ['AUTH-02'], {
    kind: 'security', status: 'fail', steps: 4,
    failure: {
      requirement: 'AUTH-02',
      message: 'A device the server injected received 3 messages.',
      path: [
        { index: 0, event: 'INJECT_DEVICE A "evil"', expected: 'no client trusts "evil"', actual: 'A.primary encrypts to "evil"', ok: false },
      ],
      failingStep: 0,
      differences: [{ field: 'injectedDeviceReceived', expected: '0', actual: '3' }],
      replay: 'node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --only sec-injected-device',
    },
  }),
  check('path-dormancy-004', 'Companions signed out at exactly 14 days of primary dormancy', ['EXP-01'], { steps: 7 }),
  check('path-history-006', 'A new companion receives the history', ['HIST-01'], {
    status: 'skipped', steps: 0, durationMs: 0,
    skipReason: "the adapter lacks capability 'history' (a new companion receives the primary's history)",
  }),
];

const failingRequirements: RequirementResult[] = [
  requirement('PAIR-01', 'pass', ['path-qr-link-001']),
  requirement('PAIR-03', 'pass', ['path-qr-reuse-002']),
  requirement('PAIR-04', 'non-strict', ['prop-qr-rotation'], { reason: 'SHOULD: an expired reference still links' }),
  requirement('LIMIT-01', 'fail', ['path-fifth-link-003']),
  requirement('LIMIT-02', 'pass', ['path-fifth-link-003']),
  requirement('AUTH-02', 'fail', ['sec-injected-device'], { baselined: true, reason: 'accepted by baseline linkspec.baseline.json' }),
  requirement('EXP-01', 'pass', ['path-dormancy-004']),
  requirement('EXP-04', 'not-covered', [], { reason: 'no check exercises companion idleness in this run' }),
  requirement('HIST-01', 'skipped', ['path-history-006'], { reason: "the adapter lacks capability 'history'" }),
];

export const failingReport: RunReport = {
  ...BASE,
  durationMs: 7_930,
  verdict: 'non-conformant',
  adapter: { name: 'bad-five-companions', description: 'Known-bad variant: allows a fifth companion.', capabilities: ['qr-image', 'clock', 'offline', 'messaging', 'server-injection'] },
  options: { seed: 1337, runs: 50 },
  summary: summarise(failingRequirements, failingChecks),
  requirements: failingRequirements,
  checks: failingChecks,
  coverage: {
    states: { covered: 2, total: 3, uncovered: ['companion.signedOut'] },
    transitions: { covered: 1, total: 2, uncovered: ['linked → signedOut on ADVANCE_CLOCK'] },
  },
  baseline: { file: 'linkspec.baseline.json', accepted: ['AUTH-02'], unexpected: ['LIMIT-01'], stale: ['EXP-01'] },
  statechartSvg: STATECHART_SVG,
  replay: 'node bin/linkspec.mjs run --adapter bad-five-companions --seed 1337 --runs 50 --baseline linkspec.baseline.json',
};

/** Every string a renderer writes is hostile: markup, quotes, entities and control characters. */
export const HOSTILE = `<script>alert("x")</script> & 'quote' ]]> <!-- \u0001\u0008\u000b\u001f\uFFFE \uD800 | *bold* \`tick\` [link](http://evil) \r\n`;

export function hostileReport(): RunReport {
  const h = (s: string) => `${s} ${HOSTILE}`;
  return {
    ...failingReport,
    adapter: { ...failingReport.adapter, name: h('adapter'), description: h('description') },
    profile: { name: h('profile') },
    requirements: failingReport.requirements.map((r) => ({ ...r, text: h(r.text), reason: r.reason && h(r.reason), modelElements: r.modelElements.map(h) })),
    checks: failingReport.checks.map((c) => ({
      ...c,
      title: h(c.title),
      skipReason: c.skipReason && h(c.skipReason),
      failure: c.failure && {
        ...c.failure,
        message: h(c.failure.message),
        path: c.failure.path.map((s) => ({ ...s, event: h(s.event), expected: h(s.expected), actual: h(s.actual) })),
        differences: c.failure.differences.map((d) => ({ field: h(d.field), expected: h(d.expected), actual: h(d.actual) })),
        replay: h(c.failure.replay),
      },
    })),
    coverage: { ...failingReport.coverage, states: { ...failingReport.coverage.states, uncovered: [h('state')] } },
    baseline: { file: h('baseline.json'), accepted: ['AUTH-02'], unexpected: ['LIMIT-01'], stale: ['EXP-01'] },
    statechartSvg: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>${'<'}/svg></text></svg>`,
    replay: h('replay'),
  };
}
