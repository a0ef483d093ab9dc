import { describe, expect, it } from 'vitest';
import { describeEvent, type LinkEvent } from '../model/events.js';
import { parseEventWords } from './eventWords.js';

const EVENTS: LinkEvent[] = [
  { type: 'REGISTER', account: 'A', idCheck: true }, { type: 'REGISTER', account: 'B', idCheck: false },
  { type: 'REREGISTER', account: 'A', proof: true }, { type: 'REREGISTER', account: 'B', proof: false }, { type: 'LOGOUT', account: 'B' },
  { type: 'GO_OFFLINE', device: 'A.primary' }, { type: 'GO_ONLINE', device: 'B.c3' },
  { type: 'SHOW_QR', device: 'A.c1' }, { type: 'CANCEL_LINKING', device: 'A.c2' }, { type: 'REQUEST_CODE', device: 'A.c6' },
  { type: 'SCAN_QR', device: 'A.c1', by: 'A.primary', source: 'photo', idCheck: 'fail', tamper: 'secret' },
  { type: 'SCAN_QR', device: 'A.c2', by: 'A.c1', source: 'live', idCheck: 'pass', tamper: 'none' },
  { type: 'ENTER_CODE', device: 'A.c1', by: 'A.primary', correct: false, idCheck: 'pass' },
  { type: 'UNLINK', by: 'A.c2', target: 'A.c1' }, { type: 'UNLINK', by: 'A.primary', target: 'B.primary' },
  { type: 'SCAN_QR', device: 'B.c1', by: 'A.primary', source: 'live', idCheck: 'pass', tamper: 'none' },
  { type: 'ENTER_CODE', device: 'B.c1', by: 'A.primary', correct: true, idCheck: 'pass' }, { type: 'SEND', from: 'B.primary', id: 'm12' },
  { type: 'ADVANCE', ms: 14 * 86_400_000 - 1 }, { type: 'ADVANCE', ms: 0 }, { type: 'ADVANCE', ms: 60_000 }, { type: 'RESTART' },
];

describe('parseEventWords', () => {
  it('reads back every kind of step from its words', () => {
    for (const event of EVENTS) expect(parseEventWords(describeEvent(event))).toEqual(event);
  });
  it('refuses words that are not a step', () => {
    for (const words of ['', 'REGISTER C', 'ADVANCE 3 weeks', 'SCAN_QR A.c1 by A.primary', 'SEND m1 from Z.primary']) {
      expect(parseEventWords(words)).toBeUndefined();
    }
  });
});
