/**
 * Suite 1 (model paths) with a stand-in list of paths: each runs in its own fresh world in
 * lockstep, its check carries the path's requirements, a path needing a capability the adapter
 * lacks is skipped with the reason (never passed), and `--check path:<id>` replays one path.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../model/profile.js';
import { loadModelSource, type ModelPath, type ModelSource } from '../modelSource.js';
import { runSuite } from '../runSuite.js';
import { createMemoryAdapter, MEMORY_CAPABILITIES } from './fixtures/memoryAdapter.js';

const PATHS: ModelPath[] = [
  { id: 'link-then-limit', title: 'Link up to the limit, one more is refused', covers: [], requirements: ['LIMIT-01', 'PAIR-02'],
    events: [{ type: 'REGISTER', account: 'A', idCheck: false },
      ...(['A.c1', 'A.c2', 'A.c3', 'A.c4', 'A.c5'] as const).flatMap((device) => [
        { type: 'SHOW_QR' as const, device },
        { type: 'SCAN_QR' as const, device, by: 'A.primary' as const, source: 'live' as const, idCheck: 'pass' as const, tamper: 'none' as const },
      ])] },
  { id: 'code-link', title: 'Link by pairing code', covers: [], requirements: ['PAIR-06'],
    events: [{ type: 'REGISTER', account: 'A', idCheck: false }, { type: 'REQUEST_CODE', device: 'A.c1' }, { type: 'ENTER_CODE', device: 'A.c1', by: 'A.primary', correct: true, idCheck: 'pass' }] },
];

async function withPaths(): Promise<ModelSource> {
  const real = await loadModelSource();
  return { ...real, coveringPaths: () => PATHS };
}

describe('model paths', () => {
  it('run in lockstep; a bug fails the path under the right requirement; a replay reruns that path only', async () => {
    const model = await withPaths();
    const good = await runSuite({ adapter: createMemoryAdapter(), adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 1, runs: 1, model });
    const paths = good.checks.filter((c) => c.kind === 'model-path');
    expect(paths.map((c) => [c.id, c.status, c.steps])).toEqual([['path:link-then-limit', 'pass', 11], ['path:code-link', 'pass', 3]]);
    expect(paths[0].requirements).toEqual(['LIMIT-01', 'PAIR-02']);

    const broken = createMemoryAdapter({ bugs: { extraCompanion: true } });
    const bad = await runSuite({ adapter: broken, adapterSpec: './b.ts', profile: DEFAULT_PROFILE, seed: 1, runs: 1, model });
    const failed = bad.checks.find((c) => c.id === 'path:link-then-limit')!;
    expect(failed.failure).toMatchObject({ requirement: 'LIMIT-01', failingStep: 10, replay: 'npx linkspec run --adapter ./b.ts --check path:link-then-limit' });
    const again = await runSuite({ adapter: broken, adapterSpec: './b.ts', profile: DEFAULT_PROFILE, check: 'path:link-then-limit', model });
    expect(again.checks.map((c) => c.id)).toEqual(['path:link-then-limit']);
    expect(again.checks[0].failure?.path).toEqual(failed.failure?.path);
  });

  it('skips a path that needs a capability the adapter lacks, saying which', async () => {
    const model = await withPaths();
    const adapter = createMemoryAdapter({ capabilities: MEMORY_CAPABILITIES.filter((c) => c !== 'pairing-code') });
    const report = await runSuite({ adapter, adapterSpec: 'memory', profile: DEFAULT_PROFILE, seed: 1, runs: 1, model });
    const skipped = report.checks.find((c) => c.id === 'path:code-link')!;
    expect(skipped).toMatchObject({ status: 'skipped', steps: 0 });
    expect(skipped.skipReason).toContain("'pairing-code'");
  });
});
