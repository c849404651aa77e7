/**
 * Where the gateway listens: on loopback alone when plantwatch.yaml does not say (web.host
 * absent), login on or off; on the network when web.host says so. Listening on the network is
 * a choice written down. Reached for real from a second machine (a network namespace on its
 * own link) and from this one.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { demoConfigCopy, editYaml } from '../helpers/demo-config.js';
import { createNetNs, type NetNs, netnsUnavailable } from '../helpers/netns.js';

const run = promisify(execFile);

/** 'open', or the error code of a TCP connection to host:port made inside the namespace. */
async function connectFrom(ns: NetNs, host: string, port: number): Promise<string> {
  const probe = `require('net').connect(${port}, '${host}')
    .on('connect', () => { console.log('open'); process.exit(0); })
    .on('error', (e) => { console.log(e.code); process.exit(0); })
    .setTimeout(3000, () => { console.log('timeout'); process.exit(0); });`;
  const { stdout } = await run('ip', ['netns', 'exec', ns.name, process.execPath, '-e', probe], {
    timeout: 10_000,
  });
  return stdout.trim();
}

/** A demo gateway with login on or off and the web.host given (none: the key absent); its web port. */
async function gatewayWithHost(login: boolean, host?: string) {
  const demo = await demoConfigCopy({ auth: login });
  await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => {
    if (host === undefined) doc.deleteIn(['web', 'host']);
    else doc.setIn(['web', 'host'], host);
  })();
  const gateway = await startGateway({ config: loadConfig(demo.dir), log: silentLogger() });
  return {
    port: gateway.web.port,
    async stop() {
      await gateway.stop();
      demo.cleanup();
    },
  };
}

// Root and `ip` are needed to make the second machine; under CI their absence fails (netnsUnavailable).
describe.skipIf(netnsUnavailable() !== undefined)('the listening address by default', () => {
  let ns: NetNs;
  beforeAll(async () => {
    ns = await createNetNs();
  });
  afterAll(() => ns?.remove());

  it('with login off, answers on loopback and not to another machine', async () => {
    const gateway = await gatewayWithHost(false);
    try {
      expect((await fetch(`http://127.0.0.1:${gateway.port}/api/health`)).status).toBe(200);
      expect(await connectFrom(ns, ns.hostAddress, gateway.port)).toBe('ECONNREFUSED');
    } finally {
      await gateway.stop();
    }
  });

  it('with login on, still answers on loopback only', async () => {
    const gateway = await gatewayWithHost(true);
    try {
      expect((await fetch(`http://127.0.0.1:${gateway.port}/api/health`)).status).toBe(200);
      expect(await connectFrom(ns, ns.hostAddress, gateway.port)).toBe('ECONNREFUSED');
    } finally {
      await gateway.stop();
    }
  });

  it('with web.host: 0.0.0.0 written, answers another machine', async () => {
    const gateway = await gatewayWithHost(true, '0.0.0.0');
    try {
      expect(await connectFrom(ns, ns.hostAddress, gateway.port)).toBe('open');
    } finally {
      await gateway.stop();
    }
  });
});
