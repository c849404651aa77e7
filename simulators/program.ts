/**
 * `plantwatch-demo` (bin/plantwatch-demo.js, `npm start`): the demo's command line, from a
 * checkout only. demo (simulated plant + gateway), simulate (the plant alone), fault (inject
 * faults into a running simulator). Each command imports what it runs when it runs: `fault`
 * answers in well under a second, without loading the gateway, the web server or the broker.
 */
import { Command } from 'commander';
import { DEFAULT_CONFIG, exitOnFailure } from '../src/cli/common.js';

export function buildDemoProgram(): Command {
  const program = new Command('plantwatch-demo')
    .description(
      'The simulated hospital plant, for the demo and the tests (not part of a production install)',
    )
    .showHelpAfterError();

  program
    .command('demo')
    .description('run the simulated hospital plant and the gateway together (what `npm start` does)')
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const { runDemo } = await import('./demo.js');
      exitOnFailure(await runDemo(opts.config));
    });

  program
    .command('simulate')
    .description(
      'run only the simulated plant (Modbus servers, serial lines, MQTT meters, BACnet/IP devices, fault control API)',
    )
    .option('-c, --config <dir>', 'configuration directory', DEFAULT_CONFIG)
    .option(
      '--only <protocols>',
      'serve only the devices of these protocols, comma-separated: modbus, mqtt, bacnet (e.g. `--only bacnet`), with the fault-injection API and without the demo inbox',
    )
    .action(async (opts: { config: string; only?: string }) => {
      const { runSimulate } = await import('./cli.js');
      process.exitCode = await runSimulate(opts.config, opts.only);
    });

  program
    .command('fault')
    .description(
      'inject or clear a fault in a running simulator, e.g. `fault ch1 trip`, `fault wm-admin leak --flow 2`, `fault --list`',
    )
    .argument('[args...]', 'device, fault type and options; see `fault --help`')
    .allowUnknownOption(true)
    .helpOption(false)
    .action(async (args: string[]) => {
      const { runFault } = await import('./cli.js');
      process.exitCode = await runFault(args);
    });
  return program;
}

await buildDemoProgram().parseAsync(process.argv);
