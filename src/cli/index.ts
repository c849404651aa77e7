/**
 * `plantwatch`, the production command line: start (the gateway), init, check-config, user,
 * influx-schema. The demo (simulated plant, `fault`) is not part of it: it lives in
 * simulators/ (simulators/program.ts, `npm start`), which a production install does not carry.
 * Commands import what they need when they run, so that `--help` or `check-config` does not
 * load the web server, the broker and every driver.
 */

import { Command } from 'commander';
import { expandRules } from '../alarms/index.js';
import type { PlantConfig } from '../config/index.js';
import { influxdbSettings } from '../config/schema.js';
import { DEFAULT_CONFIG, exitOnFailure, out } from './common.js';
import { loadOrExplain } from './load.js';
import type { ScanCliOptions } from './scan.js';
import { registerScanBacnet } from './scan-bacnet.js';

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

/** The demo's commands, which moved out of the gateway's command line (simulators/program.ts). */
const DEMO_COMMANDS = ['demo', 'simulate', 'fault'];

const DEMO_ABSENT =
  'the demo is not part of this install (plantwatch is the production gateway); run it from a ' +
  'checkout: `npm start` (simulated plant + gateway), `npm run simulate`, ' +
  '`./bin/plantwatch-demo.js fault <device> <type>`\n';

export function buildProgram(): Command {
  const program = new Command('plantwatch')
    .description('Hospital building-plant monitoring gateway')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the gateway against the real plant described by the config')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const { runGateway } = await import('./gateway.js');
      exitOnFailure(await runGateway(opts.config));
    });

  program
    .command('init')
    .description(
      'write a production configuration to start from: no demo accounts, secrets from the environment',
    )
    .argument('<dir>', 'the configuration directory to write')
    .option('--force', 'overwrite the files that are there already')
    .action(async (dir: string, opts: { force?: boolean }) => {
      const { runInit } = await import('./init.js');
      process.exitCode = await runInit(dir, { force: opts.force === true });
    });

  const scan = program
    .command('scan')
    .description(
      'find the Modbus units that answer on a gateway or serial line, and draft their configuration',
    )
    .argument('<where>', 'host:port of a gateway, or the path of a serial port')
    .option('--transport <transport>', 'tcp or rtu-over-tcp for host:port (default tcp); rtu for a path')
    .option('--units <range>', 'unit ids to probe', '1-247')
    .option('--delay <duration>', 'least time between requests (the line may need longer)', '100ms')
    .option('--timeout <duration>', 'how long to wait for each answer', '500ms')
    .option('--retries <n>', 'probes again of a silent unit before it counts as absent', '1')
    .option('--inter-frame-delay <duration>', 'silent interval the line needs between frames')
    .option('--baud <rate>', 'baud rate of the serial line (rtu; rtu-over-tcp: of the bus behind it)')
    .option('--parity <parity>', 'none, even or odd (rtu)')
    .option('--data-bits <bits>', '7 or 8 (rtu)')
    .option('--stop-bits <bits>', '1 or 2 (rtu)')
    .option('--name <id>', 'id of the line in the draft (default from <where>)')
    .option('--out <dir>', 'write devices/<name>.yaml and lines.<name>.yaml there')
    .action(async (where: string, opts: ScanCliOptions) => {
      const { runScan } = await import('./scan.js');
      process.exitCode = await runScan(where, opts);
    });
  registerScanBacnet(scan);

  for (const name of DEMO_COMMANDS) {
    program
      .command(name, { hidden: true })
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .helpOption(false)
      .action(() => {
        process.stderr.write(DEMO_ABSENT);
        process.exitCode = 1;
      });
  }

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
      'manage dashboard users: `user add <name> --role <role> [--sites <ids>]`, `user list`, `user set <name> --sites <ids>|--all-sites`, `user passwd <name>`, `user disable <name>`',
    );
  const authCli = () => import('../auth/cli.js');
  user
    .command('add')
    .description('add a user; the password from PLANTWATCH_PASSWORD or prompted on the terminal')
    .argument('<username>')
    .requiredOption('--role <role>', 'electrician, energy-manager or admin')
    .option('--name <name>', 'the name people are shown')
    .option(
      '--sites <ids>',
      'the campuses (site ids, comma-separated) the user works for; default: every campus',
    )
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(
      async (username: string, opts: { role: string; name?: string; sites?: string; config: string }) => {
        process.exitCode = await (await authCli()).userAdd(opts.config, username, opts);
      },
    );
  user
    .command('list')
    .description('list the users, their roles, whether they are disabled and their campuses')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      process.exitCode = await (await authCli()).userList(opts.config);
    });
  user
    .command('set')
    .description("change a user's campuses (the user's sessions go on, scoped from their next request)")
    .argument('<username>')
    .option('--sites <ids>', 'the campuses (site ids, comma-separated) the user works for')
    .option('--all-sites', 'every campus')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (username: string, opts: { sites?: string; allSites?: boolean; config: string }) => {
      process.exitCode = await (await authCli()).userSet(opts.config, username, opts);
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
