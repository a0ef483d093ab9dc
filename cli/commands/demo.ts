/**
 * `linkspec demo [--quiet-qr]`: the seed's story end to end against the reference implementation
 * on loopback (real WebSocket server, real keys, real encryption, virtual clock). Each step
 * prints the requirement it shows and whether it behaved; the first QR code is printed in the
 * terminal, and every QR is scanned from its PNG pixels. Exit 0 only if every step behaved,
 * 1 if one did not, 2 on a harness error.
 */
import type { RegisterCommand } from '../main.js';
import { EXIT } from '../exit.js';
import type { OpResult } from '../../model/errors.js';
import type { CompanionId } from '../../model/events.js';
import { DAY_MS, DEFAULT_PROFILE } from '../../model/profile.js';
import { createReferenceAdapter, type ReferenceDriver } from '../../adapters/reference/index.js';
import { decodeQrPng } from '../../reference/qr/scan.js';

type Step = { readonly requirement: string; readonly text: string; readonly ok: boolean; readonly detail?: string };

const COMPANIONS: CompanionId[] = ['A.c1', 'A.c2', 'A.c3', 'A.c4'];
const show = (r: OpResult) => (r.ok ? 'ok' : r.code);

/** Runs the story; `print` receives each line as it happens. Returns every step. */
export async function runDemo(print: (line: string) => void, options: { terminalQr: boolean } = { terminalQr: true }): Promise<Step[]> {
  const steps: Step[] = [];
  const step = (requirement: string, text: string, ok: boolean, detail?: string) => {
    steps.push({ requirement, text, ok, detail });
    print(`${ok ? 'PASS' : 'FAIL'}  ${requirement.padEnd(8)} ${text}${detail ? `  (${detail})` : ''}`);
  };
  const d = (await createReferenceAdapter().open(DEFAULT_PROFILE)) as ReferenceDriver;
  try {
    const regA = await d.register('A', { idCheck: true });
    const regB = await d.register('B', { idCheck: false });
    step('LIFE-01', 'Alice registers her phone as the primary (with a PIN); Bob registers his', regA.ok && regB.ok, `${show(regA)}, ${show(regB)}`);

    const scan = async (companion: CompanionId, printQr: boolean): Promise<OpResult> => {
      await d.startQrLinking(companion, { name: companion, platform: 'web' });
      if (printQr) {
        const terminal = await d.client(companion)?.qrTerminal();
        if (terminal) print(`\n${terminal}`);
      }
      const png = await d.qrImage(companion);
      if (!png.ok) return png;
      const text = decodeQrPng(png.value);
      if (text === null) return { ok: false, code: 'NO_QR' };
      return d.scanQr('A.primary', text, 'pass');
    };

    await d.send('B.primary', 'hello-before-linking');
    const first = await scan('A.c1', options.terminalQr);
    step('PAIR-01', 'A second phone shows a QR code: server reference, its identity key, a fresh secret (printed above)', first.ok);
    let seen = await d.observe();
    step('PAIR-02', "Alice's phone scans it from the PNG pixels, passes her PIN, approves: A.c1 is linked", seen.A.devices['A.c1']?.status === 'linked', show(first));
    step('HIST-01', 'The new companion received the existing history, end-to-end encrypted', seen.A.devices['A.c1']?.messages.includes('hello-before-linking') === true);
    step('NOTE-01', "Alice's phone is told a device was linked", seen.A.devices['A.primary']?.notices.includes('A.c1') === true);

    // AUTH-01: only the primary authorises. Alice's new companion tries to approve another device.
    await d.startQrLinking('A.c2', { name: 'A.c2', platform: 'web' });
    const png2 = await d.qrImage('A.c2');
    const text2 = png2.ok ? decodeQrPng(png2.value) : null;
    const byCompanion = text2 === null ? { ok: false as const, code: 'NO_QR' as const } : await d.scanQr('A.c1', text2, 'pass');
    seen = await d.observe();
    step('AUTH-01', "Alice's new companion tries to approve another device's QR: refused, nothing linked", !byCompanion.ok && byCompanion.code === 'NOT_PRIMARY' && seen.A.devices['A.c2']?.status !== 'linked', show(byCompanion));
    await d.cancelLinking('A.c2');

    for (const c of COMPANIONS.slice(1)) await scan(c, false);
    seen = await d.observe();
    const linked = COMPANIONS.filter((c) => seen.A.devices[c]?.status === 'linked');
    step('LIMIT-01', 'Three more devices link by QR: four companions', linked.length === 4, `${linked.length} linked`);

    const fifth = await scan('A.c5', false);
    seen = await d.observe();
    step('LIMIT-01', 'A fifth device is refused with a clear error and changes nothing', !fifth.ok && fifth.code === 'LIMIT_REACHED' && seen.A.devices['A.c5']?.status === 'linking', show(fifth));
    await d.cancelLinking('A.c5');

    await d.send('B.primary', 'bob-1');
    seen = await d.observe();
    const everyone = ['A.primary', ...COMPANIONS] as const;
    step('E2E-02', "Bob's message reaches Alice's phone and all four companions", everyone.every((id) => seen.A.devices[id]?.messages.includes('bob-1')));
    const payloads = await d.relayedPayloads();
    step('E2E-01', 'The server relayed ciphertext only', payloads.length > 0 && payloads.every((p) => !p.includes('bob-1')), `${payloads.length} payloads`);

    await d.setOnline('A.primary', false);
    const fromCompanion = await d.send('A.c2', 'alice-from-laptop');
    await d.send('B.primary', 'bob-2');
    seen = await d.observe();
    const chatting = fromCompanion.ok && seen.B.devices['B.primary']?.messages.includes('alice-from-laptop') === true
      && COMPANIONS.every((c) => seen.A.devices[c]?.messages.includes('bob-2'));
    step('OFF-01', "Alice's phone goes offline; her companions keep chatting with Bob", chatting);

    await d.advanceClock(14 * DAY_MS - 1);
    seen = await d.observe();
    step('EXP-01', '14 days minus 1 ms without the phone: every companion is still linked', COMPANIONS.every((c) => seen.A.devices[c]?.status === 'linked'));
    await d.advanceClock(1);
    seen = await d.observe();
    step('EXP-01', '14 days without the phone: every companion is signed out', COMPANIONS.every((c) => seen.A.devices[c]?.status === 'signed-out' && seen.A.devices[c]?.signOutReason === 'primary-dormant'));
    const late = await d.send('A.c1', 'too-late');
    step('EXP-03', 'A signed-out companion can no longer send', !late.ok && late.code === 'SIGNED_OUT', show(late));
    await d.setOnline('A.primary', true);
    const relink = await scan('A.c1', false);
    step('EXP-03', 'It comes back only through a new pairing (its slot is free)', relink.ok, show(relink));

    // PAIR-06: the seed's "OTP-based alternative": a pairing code typed on the primary instead of a scan.
    const code = await d.requestPairingCode('A.c2', { name: 'A.c2', platform: 'desktop' });
    const typed = code.ok ? await d.enterPairingCode('A.primary', 'A.c2', code.value, 'pass') : code;
    seen = await d.observe();
    step('PAIR-06', `The alternative to a QR code: A.c2 shows a pairing code${code.ok ? ` (${code.value})` : ''}, Alice types it on her phone: linked`, typed.ok && seen.A.devices['A.c2']?.status === 'linked', show(typed));
  } finally {
    await d.close();
  }
  return steps;
}

export const registerDemo: RegisterCommand = (program, setExit) => {
  program.command('demo')
    .description("The seed's story end to end on loopback: register, link by QR (terminal + PNG), a companion's approval refused (only the primary authorises), four companions, a fifth refused, messages, the phone offline, 14 days later every companion signed out, relinking, and the pairing-code alternative.")
    .option('--quiet-qr', 'do not print the QR code in the terminal')
    .action(async (args: { quietQr?: boolean }) => {
      const steps = await runDemo((line) => process.stdout.write(`${line}\n`), { terminalQr: args.quietQr !== true });
      const failed = steps.filter((s) => !s.ok);
      process.stdout.write(failed.length === 0
        ? `\nAll ${steps.length} steps behaved.\n`
        : `\n${failed.length} of ${steps.length} steps did not behave: ${failed.map((s) => s.requirement).join(', ')}\n`);
      setExit(failed.length === 0 ? EXIT.OK : EXIT.FAILED);
    });
};
