/**
 * `plantwatch` command line: start (gateway), demo (simulated plant + gateway, what
 * `npm start` runs), simulate (simulators only), fault (inject faults into a running
 * simulator), check-config, user, influx-schema.
 */

import { resolve } from 'node:path';
import { Command } from 'commander';
import { expandRules } from '../alarms/index.js';
import { ConfigError, loadConfig, type PlantConfig } from '../config/index.js';
import { influxdbSettings } from '../config/schema.js';
import { startGateway } from '../gateway/index.js';
import { createLogger, type Logger } from '../log/index.js';

const DEFAULT_CONFIG = process.env.PLANTWATCH_CONFIG ?? 'config';

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Who can reach the dashboard and whether they must sign in: what a configuration opens. */
function accessSummary(config: PlantConfig): string {
  const { web, auth } = config.gateway;
  const where = `dashboard and API on ${web.host}:${web.port}`;
  if (!auth.enabled) return `${where}, login OFF: whoever reaches the port can act on alarms`;
  const seeded = [auth.demoAccounts && 'demo accounts', auth.bootstrapAdmin && 'the bootstrap admin']
    .filter(Boolean)
    .join(' and ');
  return `${where}, login on (users in ${auth.users}${seeded ? `, with ${seeded}` : ''})`;
}

function loadOrExplain(dir: string): PlantConfig | undefined {
  try {
    return loadConfig(resolve(dir));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

/**
 * Stop everything once on SIGINT/SIGTERM, then exit. The handlers stay installed while
 * stopping: a signal often comes twice (Ctrl-C reaches both npm and node, and npm forwards
 * it; systemd signals the whole control group), and without a handler the second one would
 * kill the process mid-flush, losing the values still batched in memory.
 */
function stopOnSignal(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      log.info({ signal }, 'already shutting down: flushing what is buffered first');
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop()
      .catch((err: unknown) => log.error({ err }, 'error during shutdown'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** The simulator logs in to the broker as the config's `simulator` user, if there is one. */
async function runGateway(dir: string, withSimulators: boolean): Promise<number> {
  const config = loadOrExplain(dir);
  if (!config) return 1;
  const log = createLogger(config.gateway.log.level);
  // A stray rejection in a library callback must not take the whole plant's monitoring down.
  process.on('unhandledRejection', (reason) =>
    log.error({ err: reason }, 'unhandled promise rejection (kept running)'),
  );
  // The simulated plant comes up first, so the gateway finds its devices at the first try;
  // its MQTT meters connect once the gateway's broker listens.
  const simulators = withSimulators ? await import('../../simulators/index.js') : undefined;
  const counters = simulators ? await simulators.backfillDemoHistory(config, log) : undefined;
  const simulator = await simulators?.startPlantSimulator(config, {
    ...(counters ? { counters } : {}),
    log: log.child({ component: 'simulator' }),
    control: true,
  });
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, log });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'the gateway could not start');
    await simulator?.stop();
    return 1;
  }
  if (simulator && simulators) {
    simulator.connectMeters(simulators.simulatorMqttLogin(config, gateway.mqtt.brokerUrl));
    log.info(
      { control: `http://${config.simulation.control.host}:${config.simulation.control.port}` },
      'simulated plant running: inject faults with `npx plantwatch fault <device> <type>` (see --help)',
    );
  }
  stopOnSignal(log, async () => {
    await gateway.stop();
    await simulator?.stop();
  });
  return 0;
}

const INFLUX_ADMIN_PASSWORD_ENV = 'PLANTWATCH_INFLUX_ADMIN_PASSWORD';

/**
 * The InfluxQL that sets up the configured InfluxDB database, printed for an admin to run, or
 * with `admin` run here as that admin: what is missing is created, what differs is altered,
 * and the gateway's own account is granted READ and WRITE. Exit code 1 when it cannot.
 */
async function runInfluxSchema(dir: string, admin: string | undefined): Promise<number> {
  const config = loadOrExplain(dir);
  if (!config) return 1;
  const settings = config.gateway.storage.influxdb ?? influxdbSettings.parse({});
  const { grantReadWrite, schemaStatements } = await import('../storage/influx-schema.js');
  const grant = settings.username ? [grantReadWrite(settings.database, settings.username)] : [];
  if (config.gateway.storage.backend !== 'influxdb') {
    process.stderr.write(
      `Note: storage.backend is ${config.gateway.storage.backend}; this is for storage.influxdb.\n`,
    );
  }
  if (admin === undefined) {
    process.stderr.write(
      `Run as an InfluxDB admin, e.g. in the influx shell (${settings.protocol}://${settings.host}:${settings.port}),` +
        ` or: plantwatch influx-schema --admin <name> with the password in ${INFLUX_ADMIN_PASSWORD_ENV}.\n` +
        (settings.username
          ? `Create the gateway's user first if needed: CREATE USER "${settings.username}" WITH PASSWORD '…'\n`
          : ''),
    );
    for (const statement of [...schemaStatements(settings), ...grant]) out(`${statement};`);
    return 0;
  }
  const password = process.env[INFLUX_ADMIN_PASSWORD_ENV];
  if (password === undefined) {
    process.stderr.write(`set ${INFLUX_ADMIN_PASSWORD_ENV} to the password of InfluxDB admin "${admin}"\n`);
    return 1;
  }
  const { InfluxStore } = await import('../storage/influx.js');
  const store = InfluxStore.create({ ...settings, username: admin, password }, new Map());
  try {
    const report = await store.reconcileSchema();
    for (const statement of report.done) out(`done: ${statement}`);
    for (const { statement, why } of report.forAdmin)
      process.stderr.write(`refused: ${statement} (${why})\n`);
    for (const statement of grant) {
      await store.execute(statement);
      out(`done: ${statement}`);
    }
    if (report.done.length === 0) out(`database "${settings.database}" already as configured`);
    return report.forAdmin.length > 0 || report.unchecked.length > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`InfluxDB: ${(err as Error).message}\n`);
    return 1;
  }
}

/** A service that failed to start exits at once, whatever handles half-started parts left open. */
function exitOnFailure(code: number): void {
  if (code !== 0) process.exit(code);
}

export function buildProgram(): Command {
  const program = new Command('plantwatch')
    .description('Hospital building-plant monitoring gateway')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the gateway against the real plant described by the config')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => exitOnFailure(await runGateway(opts.config, false)));

  program
    .command('demo')
    .description('run the simulated hospital plant and the gateway together (what `npm start` does)')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => exitOnFailure(await runGateway(opts.config, true)));

  program
    .command('simulate')
    .description(
      'run only the simulated plant (Modbus servers, serial lines, MQTT meters, fault control API)',
    )
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const { runSimulate } = await import('../../simulators/cli.js');
      process.exitCode = await runSimulate(opts.config);
    });

  program
    .command('fault')
    .description(
      'inject or clear a fault in a running simulator, e.g. `fault ch1 trip`, `fault wm-admin leak --flow 2`, `fault --list`',
    )
    .argument('[args...]', 'device, fault type and options; see `plantwatch fault --help`')
    .allowUnknownOption(true)
    .helpOption(false)
    .action(async (args: string[]) => {
      const { runFault } = await import('../../simulators/cli.js');
      process.exitCode = await runFault(args);
    });

  program
    .command('check-config')
    .description('validate a configuration directory; exits non-zero listing every problem')
    .argument('[dir]', 'configuration directory', DEFAULT_CONFIG)
    .action((dir: string) => {
      const config = loadOrExplain(dir);
      if (!config) {
        process.exitCode = 1;
        return;
      }
      const points = config.devices.reduce(
        (n, d) => n + (config.profiles.get(d.profile)?.points.length ?? 0),
        0,
      );
      out(
        `${dir}: OK — ${config.sites.length} site(s), ${config.lines.length} Modbus line(s), ` +
          `${config.profiles.size} profile(s), ${config.devices.length} device(s), ${points} point(s), ` +
          `${config.alarms.rules.length} alarm rule(s) → ${expandRules(config, config.alarms.rules).alarms.length} alarm(s), ` +
          `${config.notify.teams.length} duty team(s)`,
      );
      out(`${dir}: ${accessSummary(config)}`);
    });
  program
    .command('influx-schema')
    .description(
      "print the InfluxQL an InfluxDB admin runs to create the gateway's database, retention policies, continuous queries and its user's grant; with --admin, run it",
    )
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .option('--admin <username>', `run it as this InfluxDB admin (password in ${INFLUX_ADMIN_PASSWORD_ENV})`)
    .action(async (opts: { config: string; admin?: string }) => {
      process.exitCode = await runInfluxSchema(opts.config, opts.admin);
    });
  const user = program
    .command('user')
    .description(
      'manage dashboard users: `user add <name> --role <role>`, `user list`, `user passwd <name>`, `user disable <name>`',
    );
  const authCli = () => import('../auth/cli.js');
  user
    .command('add')
    .description('add a user; the password from PLANTWATCH_PASSWORD or prompted on the terminal')
    .argument('<username>')
    .requiredOption('--role <role>', 'electrician, energy-manager or admin')
    .option('--name <name>', 'the name people are shown')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (username: string, opts: { role: string; name?: string; config: string }) => {
      process.exitCode = await (await authCli()).userAdd(opts.config, username, opts);
    });
  user
    .command('list')
    .description('list the users, their roles and whether they are disabled')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      process.exitCode = await (await authCli()).userList(opts.config);
    });
  user
    .command('passwd')
    .description("set a user's password (ends the user's sessions)")
    .argument('<username>')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (username: string, opts: { config: string }) => {
      process.exitCode = await (await authCli()).userPasswd(opts.config, username);
    });
  user
    .command('disable')
    .description("disable a user (ends the user's sessions; the record is kept)")
    .argument('<username>')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (username: string, opts: { config: string }) => {
      process.exitCode = await (await authCli()).userDisable(opts.config, username);
    });
  return program;
}

await buildProgram().parseAsync(process.argv);
