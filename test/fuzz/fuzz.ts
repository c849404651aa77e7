/**
 * Shared by the fuzz tests: one seed per test file (FUZZ_SEED=<n> replays it), and a runner
 * that runs a fast-check property a fixed number of times and prints one summary line.
 */
import fc from 'fast-check';

/** The seed of this run: FUZZ_SEED when given (to replay a failure), otherwise a fresh one. */
export const SEED: number =
  process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (Math.random() * 2 ** 31) | 0;

/** Extra cases for a long local run: FUZZ_SCALE=10 runs ten times as many. */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1) || 1;

export interface FuzzSummary {
  name: string;
  cases: number;
  failures: number;
  seed: number;
  ms: number;
}

function report(summary: FuzzSummary, extra = ''): void {
  const line =
    `fuzz | ${summary.name}: ${summary.cases} cases, ${summary.failures} failures, seed ${summary.seed}` +
    ` (replay: FUZZ_SEED=${summary.seed}), ${summary.ms} ms${extra ? `, ${extra}` : ''}`;
  // Straight to stdout: vitest shows it beside the test, and a CI log keeps it.
  process.stdout.write(`${line}\n`);
}

/**
 * Run `property` `numRuns` times (times FUZZ_SCALE) from SEED; throws fast-check's report
 * (seed, path, shrunk counterexample) on the first failure.
 */
export async function fuzz<Ts>(
  name: string,
  property: fc.IRawProperty<Ts, boolean>,
  numRuns: number,
  options: { extra?: () => string } = {},
): Promise<FuzzSummary> {
  const start = Date.now();
  const runs = Math.round(numRuns * SCALE);
  const details = await fc.check(property, { seed: SEED, numRuns: runs, endOnFailure: false });
  const summary: FuzzSummary = {
    name,
    cases: details.numRuns,
    failures: details.failed ? 1 : 0,
    seed: SEED,
    ms: Date.now() - start,
  };
  report(summary, options.extra?.());
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${name}: ${cause}\n${fc.defaultReportMessage(details) ?? ''}`);
  }
  return summary;
}

/** A one-off (end-to-end) scenario, reported in the same format. */
export function reportScenario(name: string, cases: number, start: number, extra = ''): void {
  report({ name, cases, failures: 0, seed: SEED, ms: Date.now() - start }, extra);
}

/** Object.prototype as it is now, to prove nothing a payload did changed it. */
export function prototypeSnapshot(): () => string | undefined {
  const before = new Map(
    Object.getOwnPropertyNames(Object.prototype).map((n) => [
      n,
      Object.getOwnPropertyDescriptor(Object.prototype, n)?.value,
    ]),
  );
  return () => {
    const names = Object.getOwnPropertyNames(Object.prototype);
    const added = names.find((n) => !before.has(n));
    if (added !== undefined) return `Object.prototype gained "${added}"`;
    if (names.length !== before.size) return 'Object.prototype lost a property';
    const replaced = names.find(
      (n) => Object.getOwnPropertyDescriptor(Object.prototype, n)?.value !== before.get(n),
    );
    if (replaced !== undefined) return `Object.prototype.${replaced} was replaced`;
    if (Object.getPrototypeOf({}) !== Object.prototype) return 'a fresh object has another prototype';
    return undefined;
  };
}
