/**
 * The normalised observation of a world (model/observation.ts): what the implementation must show
 * after the same step. Devices appear once created; pending queues and pairing-session details are
 * internal and not observed.
 */
import { ACCOUNTS, type AccountId, type DeviceId } from './events.js';
import type { AccountView, DeviceView, Observation } from './observation.js';
import { companionIds, companionOf, type DeviceState, type World } from './world.js';

function view(role: DeviceView['role'], d: DeviceState): DeviceView {
  return {
    role,
    status: d.status,
    ...(d.status === 'signed-out' && d.signOutReason ? { signOutReason: d.signOutReason } : {}),
    online: d.online,
    messages: [...d.messages],
    notices: [...d.notices],
  };
}

function accountView(world: World, account: AccountId): AccountView {
  const a = world.accounts[account];
  const devices: Partial<Record<DeviceId, DeviceView>> = {};
  if (a.primary) devices[`${account}.primary`] = view('primary', a.primary);
  for (const id of companionIds(account)) {
    const c = companionOf(world, id);
    if (c) devices[id] = view('companion', c);
  }
  return { registered: a.registered, deviceListVersion: a.version, devices };
}

export function observeWorld(world: World): Observation {
  const accounts = {} as Record<AccountId, AccountView>;
  for (const account of ACCOUNTS) accounts[account] = accountView(world, account);
  return { result: world.result, accounts };
}
