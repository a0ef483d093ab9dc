/**
 * Step translation: each model event (model/events.ts) becomes Driver calls (conformance/
 * contract.ts). The translator plays the user's hands and the primary's camera: it remembers the
 * QR "photo" taken right after each SHOW_QR and the pairing code each companion showed, decodes
 * QR pixels itself, tampers with one field when asked (PAIR-07), and makes wrong codes (PAIR-06).
 * Device names told to other devices are the symbolic ids (NOTE-01), platform 'linkspec'.
 */
import { OK, refused, type OpResult } from '../model/errors.js';
import { accountOf, type AccountId, type CompanionId, type LinkEvent } from '../model/events.js';
import type { Profile } from '../model/profile.js';
import type { DeviceInfo, Driver } from './contract.js';
import { decodeQrPng, tamperQrText } from './qrCamera.js';

/** What one step did: the result to compare, and a remark when the harness itself saw a problem. */
export interface StepOutcome {
  readonly result: OpResult;
  /** For example "no QR code could be read from the image" (reported beside the difference). */
  readonly note?: string;
}

export interface StepTranslator {
  apply(event: LinkEvent): Promise<StepOutcome>;
}

export const HARNESS_PLATFORM = 'linkspec';

function info(device: CompanionId): DeviceInfo {
  return { name: device, platform: HARNESS_PLATFORM };
}

export function createStepTranslator(driver: Driver, profile: Profile): StepTranslator {
  const photos = new Map<CompanionId, string>();
  const codesShown = new Map<CompanionId, string>();

  /** The camera: PNG pixels to text, or why nothing could be read. */
  async function look(device: CompanionId): Promise<{ text?: string; note?: string }> {
    const image = await driver.qrImage(device);
    if (!image.ok) return {};
    const decoded = decodeQrPng(image.value);
    return decoded.ok ? { text: decoded.text } : { note: decoded.why };
  }

  /** A code of the right format that is certainly not the code `companion` showed last (PAIR-06: each holds its own). */
  function wrongCode(companion: CompanionId): string {
    const { alphabet, length } = profile.pairingCode;
    const base = codesShown.get(companion);
    if (!base) return alphabet[0].repeat(length);
    const at = [...base].findIndex((c) => alphabet.includes(c));
    const next = alphabet[(alphabet.indexOf(base[at]) + 1) % alphabet.length];
    return base.slice(0, at) + next + base.slice(at + 1);
  }

  return {
    async apply(event) {
      switch (event.type) {
        case 'REGISTER': return { result: await driver.register(event.account, { idCheck: event.idCheck }) };
        case 'REREGISTER': return { result: await driver.reregister(event.account, { proof: event.proof }) };
        case 'LOGOUT': return { result: await driver.logout(event.account) };
        case 'GO_OFFLINE': case 'GO_ONLINE':
          return { result: await driver.setOnline(event.device, event.type === 'GO_ONLINE') };
        case 'SHOW_QR': {
          const result = await driver.startQrLinking(event.device, info(event.device));
          if (!result.ok) return { result };
          // The photo a bystander could take of the first reference (replayed by SCAN_QR 'photo').
          const seen = await look(event.device);
          if (seen.text !== undefined) photos.set(event.device, seen.text); else photos.delete(event.device);
          return { result, note: seen.note && `after SHOW_QR: ${seen.note}` };
        }
        case 'SCAN_QR': {
          let text: string | undefined;
          let note: string | undefined;
          if (event.source === 'photo') text = photos.get(event.device);
          else ({ text, note } = await look(event.device));
          // A camera that sees no code scans nothing: the model's NO_QR.
          if (text === undefined) return { result: refused('NO_QR'), note };
          return { result: await driver.scanQr(event.by, tamperQrText(text, event.tamper), event.idCheck) };
        }
        case 'CANCEL_LINKING': return { result: await driver.cancelLinking(event.device) };
        case 'REQUEST_CODE': {
          const shown = await driver.requestPairingCode(event.device, info(event.device));
          if (!shown.ok) return { result: shown };
          codesShown.set(event.device, shown.value);
          return { result: OK };
        }
        case 'ENTER_CODE': {
          const mine = codesShown.get(event.device);
          const code = event.correct && mine !== undefined ? mine : wrongCode(event.device);
          return { result: await driver.enterPairingCode(event.by, event.device, code, event.idCheck) };
        }
        case 'UNLINK': return { result: await driver.unlink(event.by, event.target) };
        case 'SEND': return { result: await driver.send(event.from, event.id) };
        case 'ADVANCE': await driver.advanceClock(event.ms); return { result: OK };
        case 'RESTART': await driver.restart(); return { result: OK };
      }
    },
  };
}
