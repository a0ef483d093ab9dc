/**
 * The remote adapter: an Adapter whose worlds live in a driver process reached over the remote
 * driver protocol (REMOTE.md). This is how an implementation written in any language is tested:
 * it exposes a small JSON-RPC-over-WebSocket server, and `--adapter remote=ws://host:port` points
 * the harness at it.
 *
 * Guarantees: the adapter's name, description and capabilities are the driver's own (from
 * `linkspec.hello`); the optional Driver methods exist exactly when their capability is declared;
 * refusals arrive as OpResult/Outcome values, protocol faults as RemoteDriverError.
 */
import type { Adapter, Capability, Driver } from '../../conformance/contract.js';
import type { Profile } from '../../model/profile.js';
import { PROTOCOL_VERSION, type MethodName, type MethodParams, type MethodResult } from './protocol.js';
import { DEFAULT_TIMEOUT_MS, RemoteDriverError, RpcClient } from './rpcClient.js';

export interface RemoteAdapterOptions {
  /** How long one call may take before it fails with RemoteDriverError (default 30 s). */
  readonly timeoutMs?: number;
}

export async function createRemoteAdapter(url: string, options: RemoteAdapterOptions = {}): Promise<Adapter> {
  const client = await RpcClient.connect(url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let hello: MethodResult<'linkspec.hello'>;
  try {
    hello = await client.call('linkspec.hello', { protocolVersion: PROTOCOL_VERSION });
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      throw new RemoteDriverError('linkspec.hello', `the driver speaks protocol version ${hello.protocolVersion}; this harness speaks ${PROTOCOL_VERSION}`);
    }
  } catch (error) {
    await client.close();
    throw error;
  }
  const capabilities: ReadonlySet<Capability> = new Set(hello.capabilities);
  return {
    name: hello.name,
    description: hello.description,
    capabilities,
    async open(profile: Profile): Promise<Driver> {
      const { world } = await client.call('world.open', { profile });
      return remoteDriver(client, world, capabilities);
    },
    dispose: () => client.close(),
  };
}

function remoteDriver(client: RpcClient, world: string, capabilities: ReadonlySet<Capability>): Driver {
  // Every driver.* call carries the world; `Omit` keeps the call sites below free of it.
  const call = <M extends MethodName>(method: M, params: Omit<MethodParams<M>, 'world'>): Promise<MethodResult<M>> =>
    client.call(method, { ...params, world } as MethodParams<M>);
  const done = async (pending: Promise<unknown>): Promise<void> => { await pending; };

  const driver: Driver = {
    register: (account, { idCheck }) => call('driver.register', { account, idCheck }),
    reregister: (account, { proof }) => call('driver.reregister', { account, proof }),
    logout: (account) => call('driver.logout', { account }),
    setOnline: (device, online) => call('driver.setOnline', { device, online }),
    startQrLinking: (device, info) => call('driver.startQrLinking', { device, info: { name: info.name, platform: info.platform } }),
    qrImage: async (device) => {
      const outcome = await call('driver.qrImage', { device });
      return outcome.ok ? { ok: true, value: new Uint8Array(Buffer.from(outcome.value, 'base64')) } : outcome;
    },
    scanQr: (by, qrText, idCheck) => call('driver.scanQr', { by, qrText, idCheck }),
    cancelLinking: (device) => call('driver.cancelLinking', { device }),
    requestPairingCode: (device, info) => call('driver.requestPairingCode', { device, info: { name: info.name, platform: info.platform } }),
    enterPairingCode: (by, companion, code, idCheck) => call('driver.enterPairingCode', { by, companion, code, idCheck }),
    unlink: (by, target) => call('driver.unlink', { by, target }),
    send: (from, messageId) => call('driver.send', { from, messageId }),
    advanceClock: (ms) => done(call('driver.advanceClock', { ms })),
    restart: () => done(call('driver.restart', {})),
    observe: () => call('driver.observe', {}),
    close: () => done(call('world.close', {})),
  };
  if (capabilities.has('server-injection')) {
    driver.injectDevice = (account, name) => done(call('driver.injectDevice', { account, name }));
    driver.injectedDeviceReceived = (account, name) => call('driver.injectedDeviceReceived', { account, name });
  }
  if (capabilities.has('traffic-inspection')) {
    driver.relayedPayloads = () => call('driver.relayedPayloads', {});
  }
  if (capabilities.has('server-traffic')) {
    driver.serverTraffic = () => call('driver.serverTraffic', {});
  }
  if (capabilities.has('key-change-notice')) {
    driver.keyChangeNotices = (device) => call('driver.keyChangeNotices', { device });
  }
  if (capabilities.has('device-list-inspection')) {
    driver.deviceList = (account) => call('driver.deviceList', { account });
  }
  if (capabilities.has('lying-server')) {
    driver.serverLie = (account, lie) => done(call('driver.serverLie', { account, lie }));
    driver.addressedUnderLie = (account) => call('driver.addressedUnderLie', { account });
  }
  return driver;
}
