/**
 * The examples of README.md and config/README.md, run as a reader would run them (see
 * test/helpers/doc-examples.ts for how a block is read): the API examples against a demo
 * gateway with login on and its simulated plant, started here on free loopback ports (the
 * documented 127.0.0.1:8080 replaced by its address); what a block shows a command printing
 * is what it prints. A refused request, a changed message or a miscounted summary fails here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantSimulator, startPlantSimulator } from '../../simulators/index.js';
import { loadConfig } from '../../src/config/index.js';
import { type Gateway, startGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/log/index.js';
import { type DemoConfig, demoConfigCopy } from '../helpers/demo-config.js';
import {
  applyEdits,
  asRunHere,
  type DocExample,
  type ExampleDir,
  exampleDir,
  normaliseText,
  notRunnable,
  readDocExamples,
  runCommand,
  type ShownOutput,
} from '../helpers/doc-examples.js';
import { until } from '../helpers/wait.js';

/** Each document, and the configuration its commands find in `config/`. */
const DOCS = [
  // The API examples act on the running demo, so their `config` is that gateway's.
  { file: 'README.md', config: 'demo' },
  // check-config on the demo configuration as it is in the repository.
  { file: 'config/README.md', config: 'repository' },
] as const;

let demo: DemoConfig | undefined;
let gateway: Gateway | undefined;
let simulator: PlantSimulator | undefined;
let webPort = 0;

beforeAll(async () => {
  demo = await demoConfigCopy({ auth: true });
  const config = loadConfig(demo.dir);
  gateway = await startGateway({ config, log: silentLogger() });
  webPort = Number(new URL(gateway.web.url).port);
  simulator = await startPlantSimulator(config, { log: silentLogger() });
  // The README acknowledges chiller 1's trip: trip it, as `plantwatch fault ch1 trip` does.
  simulator.faults.inject('ch1', { type: 'trip' });
  const alarms = gateway.alarms;
  await until(
    'the chiller-trip@ch1 alarm',
    () => alarms.list().some((a) => a.id === 'chiller-trip@ch1' && a.state === 'active-unacknowledged'),
    20_000,
    100,
  );
}, 60_000);

afterAll(async () => {
  await simulator?.stop();
  await gateway?.stop();
  demo?.cleanup();
});

function expectShown(output: string, shown: ShownOutput, where: string): void {
  const actual = normaliseText(output);
  const expected = normaliseText(shown.text);
  if (shown.lang === 'json') expect(JSON.parse(actual), where).toEqual(JSON.parse(expected));
  else expect(actual, where).toBe(expected);
}

async function runCommands(example: DocExample & { kind: 'commands' }, where: ExampleDir, at: string) {
  let output = '';
  for (const command of example.commands) {
    expect(notRunnable(command), at).toBeUndefined();
    const result = await runCommand(asRunHere(command, webPort), where);
    expect(result.code, `${at}: \`${command}\` exited ${result.code}:\n${result.output}`).toBe(0);
    output += result.output;
  }
  if (example.shown) expectShown(output, example.shown, `${at}: the output shown`);
}

async function runOutputOf(example: DocExample & { kind: 'output-of' }, at: string) {
  expect(notRunnable(example.command), at).toBeUndefined();
  const fresh = exampleDir('config');
  try {
    applyEdits(fresh.dir, example.edits);
    const result = await runCommand(asRunHere(example.command), fresh);
    expectShown(result.output, example.shown, `${at}: what \`${example.command}\` prints`);
  } finally {
    fresh.cleanup();
  }
}

/** A command as a test's title: its first 70 characters. */
const short = (command = '') => (command.length > 70 ? `${command.slice(0, 69)}…` : command);

for (const doc of DOCS) {
  const examples = readDocExamples(readFileSync(doc.file, 'utf8'));

  describe(doc.file, () => {
    let where: ExampleDir | undefined;
    beforeAll(() => {
      where = exampleDir(doc.config === 'demo' ? (demo?.dir ?? 'no demo') : 'config');
    });
    afterAll(() => where?.cleanup());

    it('has examples the test runs', () => {
      expect(examples.filter((e) => e.kind !== 'skipped').length).toBeGreaterThan(0);
    });

    for (const example of examples) {
      const at = `${doc.file}:${example.line}`;
      if (example.kind === 'skipped') {
        it.skip(`${at} (${example.why}): ${short(example.commands[0])}`, () => {});
      } else if (example.kind === 'commands') {
        it(`${at}: ${short(example.commands[0])}`, async () => {
          if (!where) throw new Error('no directory to run the examples in');
          await runCommands(example, where, at);
        }, 60_000);
      } else {
        it(`${at}: what ${example.command} prints`, () => runOutputOf(example, at), 60_000);
      }
    }
  });
}
