/**
 * `simulate` and `fault` (simulators/program.ts): the simulated plant on its own, and a small
 * client of its fault-injection API. They return exit codes; the program decides about exit.
 * Only `simulate` loads the simulators and the logger: `fault` stays a quick command.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config/index.js';

/** How to inject a fault from the checkout; not `npx plantwatch`, which may ask the registry and takes seconds. */
export const FAULT_COMMAND = './bin/plantwatch-demo.js fault';

/** `--only bacnet,modbus` as a list of the protocols given, or the reason it is not one. */
function protocolsOf<P extends string>(only: string, known: readonly P[]): P[] | string {
  const asked = only.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !(known as readonly string[]).includes(p));
  if (unknown.length > 0)
    return `--only: unknown protocol ${unknown.map((p) => `"${p}"`).join(', ')} (expected ${known.join(', ')}, comma-separated)`;
  return asked as P[];
}

export async function runSimulate(configDir: string, only?: string): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(resolve(configDir));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const [{ createLogger }, { startPlantSimulator, SIMULATED_PROTOCOLS }] = await Promise.all([
    import('../src/log/index.js'),
    import('./index.js'),
  ]);
  const protocols = only === undefined ? undefined : protocolsOf(only, SIMULATED_PROTOCOLS);
  if (typeof protocols === 'string') {
    console.error(protocols);
    return 1;
  }
  const log = createLogger(config.gateway.log.level, 'plantwatch-simulator');
  // No mqtt: section, no MQTT meters to simulate (the config refuses MQTT devices without one).
  const broker = config.gateway.mqtt?.broker;
  const user = broker?.mode === 'embedded' ? broker.users.find((u) => u.username === 'simulator') : undefined;
  const mqttUrl = !broker
    ? undefined
    : broker.mode === 'external'
      ? broker.url
      : `mqtt://${broker.host === '0.0.0.0' ? '127.0.0.1' : broker.host}:${broker.port}`;
  let simulator: Awaited<ReturnType<typeof startPlantSimulator>>;
  try {
    simulator = await startPlantSimulator(config, {
      log,
      control: true,
      ...(protocols ? { only: protocols } : {}),
      ...(broker && mqttUrl
        ? {
            mqtt: {
              url: mqttUrl,
              username: broker.mode === 'external' ? broker.username : user?.username,
              password: broker.mode === 'external' ? broker.password : user?.password,
            },
          }
        : {}),
    });
  } catch (err) {
    // A port in use, a bad simulation parameter: say which, and exit non-zero.
    log.fatal({ err: (err as Error).message }, 'the simulated plant could not start');
    return 1;
  }
  log.info(
    { control: `http://${config.simulation.control.host}:${config.simulation.control.port}` },
    `simulated plant running: inject faults with \`${FAULT_COMMAND} <device> <type>\`; Ctrl-C stops it`,
  );
  await new Promise<void>((done) => {
    const stop = () => void simulator.stop().finally(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

const USAGE = `usage (from the checkout, while \`npm start\` or \`npm run simulate\` runs):
  ${FAULT_COMMAND} <device> <type> [options]     inject a fault
  ${FAULT_COMMAND} <device> --clear [type]       clear one or all faults of a device
  ${FAULT_COMMAND} --list                        list active faults
types and their options:
  offline | stuck | trip
  slow --delay <ms>
  exception --code <n> [--from <addr> --to <addr>]       (Modbus)
  out-of-range --point <name> --value <v>
  leak --flow <m3/h>
  rollover [--point energy_kwh]
  out-of-service [--point <name>]                          (BACnet: one object, or all of them)
  fault-flag [--point <name>]                              (BACnet: fault flag, reliability unreliable-other)
  trapped | elevator-stop                                  (elevators: passenger trapped; stopped out of service)
  burner-lockout | low-water | over-pressure | high-flue   (boilers; a boiler loop's make-up that never stops: leak)
  softener-exhausted                                       (make-up water: the softener lets hard water through)
common: --config <dir> (default: config) finds the simulator's control port`;

export async function runFault(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseFaultArgs>;
  try {
    parsed = parseFaultArgs(args);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help || (!values.list && positionals.length === 0)) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const [device, type] = positionals;
  if (!values.list && !values.clear && !type) {
    console.error(
      `which fault for ${device}? (offline, slow, exception, out-of-range, stuck, trip, leak, rollover, out-of-service, fault-flag, trapped, elevator-stop, burner-lockout, low-water, over-pressure, high-flue, softener-exhausted)`,
    );
    return 1;
  }
  let control: { host: string; port: number };
  try {
    control = loadConfig(resolve(values.config as string)).simulation.control;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  const base = `http://${control.host}:${control.port}`;
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  let response: Response;
  try {
    if (values.list) response = await fetch(`${base}/faults`);
    else if (values.clear)
      response = await fetch(
        `${base}/faults/${encodeURIComponent(device as string)}${type ? `/${encodeURIComponent(type)}` : ''}`,
        {
          method: 'DELETE',
        },
      );
    else {
      const fault = Object.fromEntries(
        Object.entries({
          type,
          delayMs: num(values.delay),
          code: num(values.code),
          from: num(values.from),
          to: num(values.to),
          point: values.point,
          value: num(values.value),
          flowM3h: num(values.flow),
        }).filter(([, v]) => v !== undefined),
      );
      response = await fetch(`${base}/faults/${encodeURIComponent(device as string)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
    }
  } catch {
    console.error(`no simulator answers at ${base}: start one with \`npm start\` or \`npm run simulate\``);
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as unknown;
  if (!response.ok) {
    console.error((body as { error?: string }).error ?? `HTTP ${response.status}`);
    return 1;
  }
  console.log(JSON.stringify(body, null, 2));
  return 0;
}

function parseFaultArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', default: process.env.PLANTWATCH_CONFIG ?? 'config' },
      list: { type: 'boolean' },
      clear: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      delay: { type: 'string' },
      code: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      point: { type: 'string' },
      value: { type: 'string' },
      flow: { type: 'string' },
    },
  });
}
