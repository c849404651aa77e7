/**
 * Foreign-device registration with a BBMD, and Who-Is through it, for devices on another IP
 * subnet: the gateway on 127.0.0.0/8, the BBMD and two devices on 10.0.0.0/8 with its own
 * broadcast address, all in a network namespace of their own (test/helpers/netns-worker.ts).
 */
import { ObjectType, PropertyIdentifier } from '@bacnet-js/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loopbackNetnsUnavailable, type NetnsWorker, startNetnsWorker } from '../../helpers/netns-worker.js';
import { sleep, until } from '../../helpers/wait.js';
import type { BbmdScene, NetworkLab } from './network-lab.js';

const LAB = new URL('./network-lab.ts', import.meta.url).pathname;
/** Not 127.0.0.1: the library's server side skips every request from 127.0.0.1:47808. */
const GATEWAY = '127.0.0.4';
const BBMD = '10.20.0.1';
const SCENE: BbmdScene = {
  gateway: GATEWAY,
  gatewayBroadcast: '127.255.255.255',
  bbmd: BBMD,
  subnetBroadcast: '10.255.255.255',
  devices: [
    { address: '10.20.0.2', instance: 4001, value: 21.5 },
    { address: '10.20.0.3', instance: 4002, value: 7.25 },
  ],
  timeoutMs: 500,
};
const WAIT_MS = 300;
/** The schema's shortest TTL: what the BBMD must be told, whatever the test's renewal pace. */
const TTL_MS = 30_000;

describe.skipIf(loopbackNetnsUnavailable() !== undefined)('BACnet/IP foreign-device registration', () => {
  let lab: NetnsWorker<NetworkLab>;
  const registered = () =>
    until('the gateway registered', async () => {
      const status = await lab.call('registrationStatus');
      return status.state === 'registered' && status;
    });

  beforeAll(async () => {
    lab = await startNetnsWorker<NetworkLab>(LAB, [GATEWAY, BBMD, ...SCENE.devices.map((d) => d.address)]);
    await lab.call('startBbmdScene', SCENE);
  });
  afterAll(async () => {
    await lab?.remove();
  });
  beforeEach(async () => {
    await lab.call('stopRegistration');
    await lab.call('restartBbmd');
  });

  it('registers with the BBMD, which keeps the gateway in its table with the TTL', async () => {
    await lab.call('register', { address: BBMD, ttlMs: TTL_MS });
    const status = await registered();
    expect(status).toMatchObject({ bbmd: `${BBMD}:47808`, ttlSeconds: 30, registrations: 1, failures: 0 });
    const table = await lab.call('bbmdTable');
    expect(table).toEqual([
      // TTL plus BACnet's 30 s of grace.
      { address: GATEWAY, ttlSeconds: 30, remainingSeconds: 60, registrations: 1 },
    ]);
  });

  it('registers again before the TTL runs out', async () => {
    // A 2 s TTL and a BBMD without grace: the entry is gone 2 s after a registration that is not
    // renewed; renewed at half the TTL (the default), it never goes.
    await lab.call('restartBbmd', { graceMs: 0 });
    await lab.call('register', { address: BBMD, ttlMs: 2_000 });
    await registered();
    for (let check = 0; check < 6; check++) {
      await sleep(400);
      expect(await lab.call('bbmdTable')).toMatchObject([{ address: GATEWAY, ttlSeconds: 2 }]);
    }
    const [entry] = await lab.call('bbmdTable');
    expect(entry?.registrations).toBeGreaterThanOrEqual(3);
  });

  it('renews at the pace it is given, telling the BBMD the TTL each time', async () => {
    await lab.call('register', { address: BBMD, ttlMs: TTL_MS, renewAfterMs: 100 });
    await until(
      'three registrations',
      async () => ((await lab.call('bbmdTable'))[0]?.registrations ?? 0) >= 3,
    );
    expect((await lab.call('bbmdTable'))[0]).toMatchObject({ ttlSeconds: 30 });
  });

  it('reports a BBMD that refuses, retries, and registers once it accepts', async () => {
    await lab.call('setBbmdRefusing', true);
    await lab.call('register', { address: BBMD, ttlMs: TTL_MS, retryMinMs: 50, retryMaxMs: 100 });
    const failed = await until('three refused attempts', async () => {
      const status = await lab.call('registrationStatus');
      return status.failures >= 3 && status;
    });
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toContain('refused the foreign-device registration (BVLC-Result NAK 0x0030)');
    expect((await lab.call('bbmdCounts')).refusedRegistrations).toBeGreaterThanOrEqual(3);
    // One error in the log for the cause, not one per retry.
    const problems = await lab.call('loggedProblems');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.msg).toContain(`BBMD ${BBMD}:47808 refused the foreign-device registration`);

    await lab.call('setBbmdRefusing', false);
    const status = await registered();
    expect(status).toMatchObject({ failures: 0, registrations: 1 });
    expect(await lab.call('bbmdTable')).toHaveLength(1);
  });

  it('reports a BBMD that does not answer, and keeps trying', async () => {
    await lab.call('register', { address: '10.20.0.9', ttlMs: TTL_MS, retryMinMs: 50, retryMaxMs: 50 });
    const failed = await until(
      'two unanswered attempts',
      async () => {
        const status = await lab.call('registrationStatus');
        return status.failures >= 2 && status;
      },
      SCENE.timeoutMs * 2 + 3_000,
    );
    expect(failed).toMatchObject({ state: 'failed', registrations: 0 });
    expect(failed.lastError).toBe(
      'BBMD 10.20.0.9:47808 did not answer the foreign-device registration within the APDU timeout: wrong address or port, a firewall, or not a BBMD',
    );
  });

  it('finds the devices on the BBMD’s subnet, each at its own address, and reads them there', async () => {
    // The other subnet does not hear the gateway's own broadcast Who-Is.
    expect(await lab.call('localWhoIs', WAIT_MS)).toEqual([]);

    await lab.call('register', { address: BBMD, ttlMs: TTL_MS });
    await registered();
    const answer = await lab.call('whoIsThroughBbmd', WAIT_MS);
    expect(answer.devices?.map(({ address, instance }) => ({ address, instance }))).toEqual([
      { address: '10.20.0.2', instance: 4001 },
      { address: '10.20.0.3', instance: 4002 },
    ]);
    expect(await lab.call('bbmdCounts')).toMatchObject({ distributed: 1, forwardedToForeignDevices: 2 });

    // A device found through the BBMD is read at its own address, not through the BBMD.
    for (const [i, device] of (answer.devices ?? []).entries()) {
      const read = await lab.call(
        'readProperty',
        { address: device.address },
        { type: ObjectType.ANALOG_INPUT, instance: 1 },
        PropertyIdentifier.PRESENT_VALUE,
      );
      expect(read).toEqual({ values: [SCENE.devices[i]?.value] });
    }
  });

  it('registers again at once when the BBMD has lost the registration (restarted)', async () => {
    // A renewal far off: only the BBMD's refusal to distribute can bring the re-registration.
    await lab.call('register', { address: BBMD, ttlMs: TTL_MS });
    await registered();
    await lab.call('restartBbmd');
    expect(await lab.call('bbmdTable')).toEqual([]);

    const refused = await lab.call('whoIsThroughBbmd', WAIT_MS);
    expect(refused.error).toEqual({
      name: 'BbmdRefusedError',
      message: `BBMD ${BBMD}:47808 refused to distribute the Who-Is (BVLC-Result NAK 0x0060): this gateway is not registered with it (yet, or any more)`,
    });
    await until(
      'the gateway in the new BBMD’s table',
      async () => (await lab.call('bbmdTable')).length === 1,
    );
    const status = await registered();
    expect(status.registrations).toBe(2);
    expect((await lab.call('loggedProblems')).map((line) => line.msg)).toEqual([
      `BACnet: BBMD ${BBMD}:47808 no longer knows this gateway (restarted, or the registration expired): registering again`,
    ]);

    const again = await lab.call('whoIsThroughBbmd', WAIT_MS);
    expect(again.devices?.map((d) => d.address)).toEqual(['10.20.0.2', '10.20.0.3']);
  });
});
