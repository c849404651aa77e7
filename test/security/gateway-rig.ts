/**
 * A real gateway (startGateway) on the demo configuration, moved to free loopback ports and a
 * temp directory, login on with the demo accounts, every log line captured. No plant runs
 * behind it: Modbus devices are in comm-error, which the security tests do not mind.
 */
import { join } from 'node:path';
import type { Document } from 'yaml';
import { loadConfig, type PlantConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { capturingLogger, type LogLine, login } from '../auth/harness.js';
import { type DemoConfig, demoConfigCopy, editYaml } from '../helpers/demo-config.js';

export type Account = 'admin' | 'electrician' | 'manager';
export const PASSWORDS: Record<Account, string> = {
  admin: 'admin-demo',
  electrician: 'electrician-demo',
  manager: 'manager-demo',
};

export interface GatewayRig {
  gateway: Gateway;
  config: PlantConfig;
  dir: string;
  url: string;
  lines: LogLine[];
  /** Session cookies of the demo accounts. */
  cookies: Record<Account, string>;
  stop(): Promise<void>;
}

export interface GatewayRigOptions {
  /** Edit the copy's plantwatch.yaml / notify.yaml before loading. */
  plantwatch?: (doc: Document, dir: string) => void;
  notify?: (doc: Document, dir: string) => void;
  /** Environment the configuration is loaded with (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function startGatewayRig(options: GatewayRigOptions = {}): Promise<GatewayRig> {
  const demo: DemoConfig = await demoConfigCopy({ auth: true });
  const { plantwatch, notify } = options;
  if (plantwatch) await editYaml(join(demo.dir, 'plantwatch.yaml'), (doc) => plantwatch(doc, demo.dir))();
  if (notify) await editYaml(join(demo.dir, 'notify.yaml'), (doc) => notify(doc, demo.dir))();
  const { log, lines } = capturingLogger();
  let gateway: Gateway | undefined;
  try {
    const config = loadConfig(demo.dir, options.env ? { env: options.env } : {});
    gateway = await startGateway({ config, log });
    const url = gateway.web.url;
    const cookies = { admin: '', electrician: '', manager: '' };
    for (const account of Object.keys(PASSWORDS) as Account[]) {
      const { cookie } = await login(url, account, PASSWORDS[account]);
      if (!cookie) throw new Error(`demo account ${account} could not log in`);
      cookies[account] = cookie;
    }
    const running = gateway;
    return {
      gateway: running,
      config,
      dir: demo.dir,
      url,
      lines,
      cookies,
      async stop() {
        await running.stop();
        demo.cleanup();
      },
    };
  } catch (err) {
    await gateway?.stop();
    demo.cleanup();
    throw err;
  }
}
