/**
 * Measurement and verification of a retrofit (IPMVP option B/C style): a baseline model fitted
 * on days before the work predicts what the reporting days would have used; savings are that
 * adjusted baseline minus the actual use, with the ASHRAE Guideline 14-2014 uncertainty.
 */

/** One day's consumption and, for a linear model, its driver (degree days, bed-days, ...). */
export interface DailyValue {
  day: string;
  consumption: number;
  driver?: number;
}

export type BaselineModel = 'mean' | 'linear';

export type Confidence = 0.68 | 0.8 | 0.9 | 0.95;

export interface BaselineFit {
  model: BaselineModel;
  intercept: number;
  /** 0 for the mean model. */
  slope: number;
  /** Baseline days. */
  n: number;
  /** Fitted parameters p: 1 for mean, 2 for linear. */
  parameters: number;
  /** 1 − SSE/SST; 0 for the mean model or constant consumption. */
  r2: number;
  /** sqrt(SSE / (n − p)), as Guideline 14 defines it. */
  rmse: number;
  /** rmse / mean baseline consumption (a fraction, 0.1 = 10 %). */
  cvRmse: number;
  meanConsumption: number;
  /** Lag-1 autocorrelation ρ of the residuals in day order. */
  lag1Autocorrelation: number;
}

const MIN_BASELINE_DAYS = 3;

/** Ordinary least squares of consumption = intercept + slope × driver ('mean': slope 0). */
export function fitBaseline(days: readonly DailyValue[], model: BaselineModel): BaselineFit {
  if (days.length < MIN_BASELINE_DAYS) {
    throw new RangeError(`A baseline needs at least ${MIN_BASELINE_DAYS} days, got ${days.length}`);
  }
  const ordered = chronological(days);
  const consumption = ordered.map((day) => day.consumption);
  const meanConsumption = mean(consumption);
  if (meanConsumption === 0)
    throw new RangeError('Baseline mean consumption is 0: savings cannot be expressed');
  const { intercept, slope } =
    model === 'linear' ? leastSquares(ordered) : { intercept: meanConsumption, slope: 0 };
  const parameters = model === 'linear' ? 2 : 1;
  const residuals = ordered.map((day) => day.consumption - (intercept + slope * (day.driver ?? 0)));
  const sse = sumOfSquares(residuals);
  const sst = sumOfSquares(consumption.map((value) => value - meanConsumption));
  const rmse = Math.sqrt(sse / (ordered.length - parameters));
  return {
    model,
    intercept,
    slope,
    n: ordered.length,
    parameters,
    r2: sst > 0 ? 1 - sse / sst : 0,
    rmse,
    cvRmse: rmse / meanConsumption,
    meanConsumption,
    lag1Autocorrelation: lag1Autocorrelation(residuals),
  };
}

/** The model's consumption for one day. */
export function predict(fit: BaselineFit, day: DailyValue): number {
  if (fit.model === 'mean') return fit.intercept;
  if (!isNumber(day.driver))
    throw new RangeError(`Day ${day.day} has no driver value for the linear baseline`);
  return fit.intercept + fit.slope * day.driver;
}

function leastSquares(days: readonly DailyValue[]): { intercept: number; slope: number } {
  const missing = days.filter((day) => !isNumber(day.driver)).map((day) => day.day);
  if (missing.length > 0)
    throw new RangeError(`Linear baseline needs a driver on every day; missing on ${missing.join(', ')}`);
  const drivers = days.map((day) => day.driver as number);
  const meanDriver = mean(drivers);
  const meanConsumption = mean(days.map((day) => day.consumption));
  const sxx = sumOfSquares(drivers.map((driver) => driver - meanDriver));
  if (sxx === 0)
    throw new RangeError('Linear baseline needs the driver to vary; it is the same on every day');
  let sxy = 0;
  for (const day of days) sxy += ((day.driver as number) - meanDriver) * (day.consumption - meanConsumption);
  const slope = sxy / sxx;
  return { intercept: meanConsumption - slope * meanDriver, slope };
}

/** ρ = Σ e(i)·e(i−1) / Σ e(i)²; residuals of a fit with an intercept have mean 0. */
function lag1Autocorrelation(residuals: readonly number[]): number {
  const sse = sumOfSquares(residuals);
  if (sse === 0) return 0;
  let lagged = 0;
  for (let i = 1; i < residuals.length; i++)
    lagged += (residuals[i] as number) * (residuals[i - 1] as number);
  return lagged / sse;
}

export interface SavingsInput {
  baseline: readonly DailyValue[];
  reporting: readonly DailyValue[];
  model: BaselineModel;
  confidence: Confidence;
}

export interface SavingsResult {
  fit: BaselineFit;
  /** Σ model prediction over the reporting days. */
  adjustedBaseline: number;
  /** Σ actual consumption over the reporting days. */
  actual: number;
  /** adjustedBaseline − actual (positive = saved). */
  savings: number;
  /** Savings as a percentage of the adjusted baseline (12.5 = 12.5 %). */
  savingsPct: number;
  /** ± absolute savings uncertainty at the requested confidence. */
  uncertainty: number;
  /** Uncertainty as a percentage of |savings|; null when savings are 0. */
  uncertaintyPct: number | null;
  perDay: { baseline: number; reporting: number };
  reportingDays: number;
  /** Student t used (two-sided, n − p degrees of freedom). */
  t: number;
  /** Effective baseline days n′ after autocorrelation. */
  effectiveN: number;
  /**
   * Guideline 14's acceptance rule: savings are positive and their fractional uncertainty at 68 %
   * confidence is below 50 %, whatever confidence was asked for.
   */
  meetsGuideline14: boolean;
}

/**
 * Savings with the fractional savings uncertainty of ASHRAE Guideline 14-2014 (Annex B, after
 * Reddy & Claridge 2000), for m reporting points predicted by a model fitted on n baseline points:
 *   ΔE/E = 1.26 · t · CV(RMSE) · sqrt((n/n′) · (1 + 2/n′) · (1/m)) / F,  F = savings / adjusted baseline
 * so ΔE = 1.26 · t · CV(RMSE) · sqrt((n/n′)(1 + 2/n′)/m) · adjusted baseline, with
 * n′ = n (1 − ρ)/(1 + ρ) (n′ = n when ρ ≤ 0) and t two-sided at n − p degrees of freedom.
 */
export function verifySavings(input: SavingsInput): SavingsResult {
  if (input.reporting.length === 0) throw new RangeError('Savings need at least one reporting day');
  const fit = fitBaseline(input.baseline, input.model);
  const adjustedBaseline = sum(input.reporting.map((day) => predict(fit, day)));
  const actual = sum(input.reporting.map((day) => day.consumption));
  const savings = adjustedBaseline - actual;
  const m = input.reporting.length;
  const effectiveN = effectiveSampleSize(fit);
  const t = studentT(input.confidence, fit.n - fit.parameters);
  const uncertainty = savingsUncertainty(fit, effectiveN, m, adjustedBaseline, t);
  const uncertainty68 = savingsUncertainty(
    fit,
    effectiveN,
    m,
    adjustedBaseline,
    studentT(0.68, fit.n - fit.parameters),
  );
  return {
    fit,
    adjustedBaseline,
    actual,
    savings,
    savingsPct: (savings / adjustedBaseline) * 100,
    uncertainty,
    uncertaintyPct: savings === 0 ? null : (uncertainty / Math.abs(savings)) * 100,
    perDay: { baseline: fit.meanConsumption, reporting: actual / m },
    reportingDays: m,
    t,
    effectiveN,
    meetsGuideline14: savings > 0 && uncertainty68 / savings < 0.5,
  };
}

/** n′: autocorrelated residuals carry fewer independent days; negative ρ is not credited. */
function effectiveSampleSize(fit: BaselineFit): number {
  const rho = fit.lag1Autocorrelation;
  return rho <= 0 ? fit.n : (fit.n * (1 - rho)) / (1 + rho);
}

function savingsUncertainty(
  fit: BaselineFit,
  nPrime: number,
  m: number,
  adjustedBaseline: number,
  t: number,
): number {
  const spread = Math.sqrt((fit.n / nPrime) * (1 + 2 / nPrime) * (1 / m));
  return 1.26 * t * fit.cvRmse * spread * Math.abs(adjustedBaseline);
}

/** Cooling or heating degree days of one day from its mean temperature. */
export function degreeDays(meanTempC: number, baseC: number, kind: 'cooling' | 'heating'): number {
  return Math.max(0, kind === 'cooling' ? meanTempC - baseC : baseC - meanTempC);
}

/**
 * Two-sided Student t quantile: the t with P(|T| ≤ t) = confidence at `degreesOfFreedom`
 * (Infinity gives the normal quantile). Solved from the t distribution's CDF,
 * P(|T| > t) = I_x(ν/2, 1/2) with x = ν/(ν + t²) (Abramowitz & Stegun 26.7.1 with 26.5.2), by
 * bisection on x; no table, so any degrees of freedom are exact.
 */
export function studentT(confidence: number, degreesOfFreedom: number): number {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`Confidence must be in (0, 1), got ${confidence}`);
  if (!(degreesOfFreedom > 0))
    throw new RangeError(`Degrees of freedom must be positive, got ${degreesOfFreedom}`);
  if (degreesOfFreedom === Number.POSITIVE_INFINITY) return normalQuantile(1 - (1 - confidence) / 2);
  const tailProbability = 1 - confidence;
  const a = degreesOfFreedom / 2;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 200 && high - low > 1e-17; i++) {
    const x = (low + high) / 2;
    if (regularizedBeta(x, a, 0.5) < tailProbability) low = x;
    else high = x;
  }
  const x = (low + high) / 2;
  return Math.sqrt((degreesOfFreedom * (1 - x)) / x);
}

/** I_x(a, b) by its continued fraction (Numerical Recipes 6.4, modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only below the mean; use the symmetry I_x(a,b) = 1 − I_(1−x)(b,a) above it.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let result = d;
  for (let m = 1; m <= 1000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / (Math.abs(1 + even * d) < tiny ? tiny : 1 + even * d);
    c = Math.abs(1 + even / c) < tiny ? tiny : 1 + even / c;
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / (Math.abs(1 + odd * d) < tiny ? tiny : 1 + odd * d);
    c = Math.abs(1 + odd / c) < tiny ? tiny : 1 + odd / c;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return result;
}

/** ln Γ(z), Lanczos approximation (g = 7, 9 terms), about 15 significant digits for z > 0. */
function logGamma(z: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const shifted = z - 1;
  let series = coefficients[0] as number;
  for (let i = 1; i < coefficients.length; i++) series += (coefficients[i] as number) / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
}

/** Standard normal quantile, P. J. Acklam's rational approximation (relative error below 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number => polynomial(c, q) / polynomial([...d, 1], q);
  const lowBreak = 0.02425;
  if (p < lowBreak) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - lowBreak) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(a, r) * q) / polynomial([...b, 1], r);
}

/** Horner's rule; coefficients from the highest power down. */
const polynomial = (coefficients: readonly number[], x: number): number =>
  coefficients.reduce((value, coefficient) => value * x + coefficient, 0);

function chronological(days: readonly DailyValue[]): DailyValue[] {
  const ordered = [...days].sort((a, b) => a.day.localeCompare(b.day));
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]?.day === ordered[i - 1]?.day)
      throw new RangeError(`Baseline day ${ordered[i]?.day} appears twice`);
  }
  return ordered;
}

const isNumber = (value: number | undefined): value is number =>
  value !== undefined && Number.isFinite(value);
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
const mean = (values: readonly number[]): number => sum(values) / values.length;
const sumOfSquares = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value * value, 0);
