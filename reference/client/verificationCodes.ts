/**
 * Where a test's phone reads the number-verification SMS (LIFE-03) when its server runs with
 * test control: `tc.verificationCode` on a short-lived connection of its own. Production clients
 * get the code from the user, who read it in the SMS.
 */
import { WireConnection } from './wire.js';

export async function codeFromTestControl(url: string, phone: string): Promise<string | null> {
  const tc = await WireConnection.open(url);
  try {
    const r = await tc.request<string | null>('tc.verificationCode', { phone });
    return r.ok ? r.value : null;
  } finally {
    await tc.close();
  }
}
