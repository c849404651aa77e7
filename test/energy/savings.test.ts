/**
 * Retrofit savings against a baseline model, checked by hand: the coefficients, CV(RMSE),
 * adjusted baseline, savings and ASHRAE Guideline 14 uncertainty below are worked out in the
 * comments and the code must agree.
 */
import { describe, expect, it } from 'vitest';
import {
  type DailyValue,
  degreeDays,
  fitBaseline,
  studentT,
  verifySavings,
} from '../../src/energy/savings.js';

const day = (i: number): string => `2026-06-${String(i).padStart(2, '0')}`;

/**
 * Ten baseline days with cooling degree days x = 1..10 and consumption 100 + 10x + e, where the
 * residuals e = [2, −2, −2, 2, 0, 0, 2, −2, −2, 2] sum to 0 and are orthogonal to x
 * (Σ x·e = 2 − 4 − 6 + 8 + 0 + 0 + 14 − 16 − 18 + 20 = 0), so OLS returns exactly
 * intercept 100 and slope 10.
 */
const residuals = [2, -2, -2, 2, 0, 0, 2, -2, -2, 2];
const baseline: DailyValue[] = residuals.map((e, i) => ({
  day: day(i + 1),
  driver: i + 1,
  consumption: 100 + 10 * (i + 1) + e,
}));
/**
 * Five reporting days at x = 3, 5, 7, 9, 11: the model predicts 130, 150, 170, 190, 210
 * (Σ = 850 kWh, the adjusted baseline); they used 120, 138, 160, 171, 191 (Σ = 780 kWh).
 */
const reporting: DailyValue[] = [
  { day: '2026-07-01', driver: 3, consumption: 120 },
  { day: '2026-07-02', driver: 5, consumption: 138 },
  { day: '2026-07-03', driver: 7, consumption: 160 },
  { day: '2026-07-04', driver: 9, consumption: 171 },
  { day: '2026-07-05', driver: 11, consumption: 191 },
];

describe('fitBaseline', () => {
  it('fits the hand-checked linear baseline', () => {
    const fit = fitBaseline(baseline, 'linear');
    expect(fit.intercept).toBeCloseTo(100, 9);
    expect(fit.slope).toBeCloseTo(10, 9);
    expect(fit).toMatchObject({ model: 'linear', n: 10, parameters: 2 });
    // mean consumption = 100 + 10 × 5.5 = 155
    expect(fit.meanConsumption).toBeCloseTo(155, 9);
    // SSE = 8 × 2² = 32; RMSE = sqrt(32 / (10 − 2)) = 2; CV(RMSE) = 2 / 155 = 0.0129032
    expect(fit.rmse).toBeCloseTo(2, 9);
    expect(fit.cvRmse).toBeCloseTo(0.0129032, 7);
    // SST = Σ (10(x − 5.5) + e)² = 100 × 82.5 + 2 × 10 × Σ(x − 5.5)e + Σe² = 8250 + 0 + 32 = 8282
    // R² = 1 − 32 / 8282 = 0.996136
    expect(fit.r2).toBeCloseTo(0.996136, 6);
    // ρ = Σ e(i)e(i−1) / Σ e² = (−4 + 4 − 4 + 0 + 0 + 0 − 4 + 4 − 4) / 32 = −8 / 32 = −0.25
    expect(fit.lag1Autocorrelation).toBeCloseTo(-0.25, 9);
  });

  it('fits the mean model with slope 0 and finds the autocorrelation of a trend', () => {
    // consumption 101..110, mean 105.5, residuals −4.5..4.5: SSE = 2 × (0.25 + 2.25 + 6.25 + 12.25 + 20.25) = 82.5
    // Σ e(i)e(i−1) = 15.75 + 8.75 + 3.75 + 0.75 − 0.25 + 0.75 + 3.75 + 8.75 + 15.75 = 57.75; ρ = 57.75 / 82.5 = 0.7
    const trend = Array.from({ length: 10 }, (_, i) => ({ day: day(i + 1), consumption: 101 + i }));
    const fit = fitBaseline(trend, 'mean');
    expect(fit).toMatchObject({ model: 'mean', slope: 0, parameters: 1, r2: 0 });
    expect(fit.intercept).toBeCloseTo(105.5, 9);
    // RMSE = sqrt(82.5 / 9) = 3.02765
    expect(fit.rmse).toBeCloseTo(3.02765, 5);
    expect(fit.lag1Autocorrelation).toBeCloseTo(0.7, 9);
  });

  it('orders days chronologically before measuring autocorrelation', () => {
    const shuffled = [...baseline].reverse();
    expect(fitBaseline(shuffled, 'linear').lag1Autocorrelation).toBeCloseTo(-0.25, 9);
  });

  it('rejects too few days, missing drivers, a constant driver and a repeated day', () => {
    expect(() => fitBaseline(baseline.slice(0, 2), 'mean')).toThrow(/at least 3 days, got 2/);
    const missing = baseline.map((d, i) => (i === 4 ? { day: d.day, consumption: d.consumption } : d));
    expect(() => fitBaseline(missing, 'linear')).toThrow(/driver on every day; missing on 2026-06-05/);
    const constant = baseline.map((d) => ({ ...d, driver: 7 }));
    expect(() => fitBaseline(constant, 'linear')).toThrow(/driver to vary/);
    expect(() => fitBaseline([...baseline, baseline[0]!], 'linear')).toThrow(/appears twice/);
  });
});

describe('verifySavings', () => {
  it('computes savings and the Guideline 14 uncertainty of the hand-checked example', () => {
    const result = verifySavings({ baseline, reporting, model: 'linear', confidence: 0.9 });
    expect(result.adjustedBaseline).toBeCloseTo(850, 9);
    expect(result.actual).toBe(780);
    // savings = 850 − 780 = 70 kWh = 70 / 850 = 8.2353 % of the adjusted baseline
    expect(result.savings).toBeCloseTo(70, 9);
    expect(result.savingsPct).toBeCloseTo(8.2353, 4);
    expect(result.reportingDays).toBe(5);
    expect(result.perDay.baseline).toBeCloseTo(155, 9);
    expect(result.perDay.reporting).toBeCloseTo(156, 9);
    // ρ = −0.25 ≤ 0, so n′ = n = 10; t(90 %, 10 − 2 = 8) = 1.8595
    expect(result.effectiveN).toBe(10);
    expect(result.t).toBeCloseTo(1.8595, 4);
    // ΔE = 1.26 × t × CV × sqrt((n/n′)(1 + 2/n′)/m) × adjusted baseline
    //    = 1.26 × 1.859548 × (2/155) × sqrt(1 × 1.2 / 5) × 850
    //    = 2.343030 × 10.967742 × 0.489898 = 12.5893 kWh, i.e. 12.5893 / 70 = 17.985 % of the savings
    expect(result.uncertainty).toBeCloseTo(12.5893, 3);
    expect(result.uncertaintyPct).toBeCloseTo(17.985, 2);
    // At 68 %: t(68 %, 8) = 1.060224 → ΔE = 7.1778 kWh = 10.25 % of savings < 50 %
    expect(result.meetsGuideline14).toBe(true);
  });

  it('widens the uncertainty for autocorrelated residuals (n′ = n(1 − ρ)/(1 + ρ))', () => {
    // The trend baseline: ρ = 0.7, n′ = 10 × 0.3 / 1.7 = 1.764706; CV = 3.027650 / 105.5 = 0.0286981
    // Five reporting days predicted at 105.5 each: adjusted baseline 527.5; t(95 %, 9) = 2.262157
    // ΔE = 1.26 × 2.262157 × 0.0286981 × sqrt((10 / 1.764706)(1 + 2 / 1.764706) / 5) × 527.5
    //    = 1.26 × 2.262157 × 0.0286981 × sqrt(5.666667 × 2.133333 / 5) × 527.5
    //    = 0.0817988 × 1.554921 × 527.5 = 67.093
    const trend = Array.from({ length: 10 }, (_, i) => ({ day: day(i + 1), consumption: 101 + i }));
    const after = Array.from({ length: 5 }, (_, i) => ({ day: `2026-07-0${i + 1}`, consumption: 95 }));
    const result = verifySavings({ baseline: trend, reporting: after, model: 'mean', confidence: 0.95 });
    expect(result.effectiveN).toBeCloseTo(1.764706, 6);
    expect(result.savings).toBeCloseTo(52.5, 9);
    expect(result.uncertainty).toBeCloseTo(67.093, 2);
    // Fractional uncertainty at 68 %: t(68 %, 9) = 1.053 → ΔE ≈ 31.2 kWh = 59 % of 52.5 kWh: fails the 50 % rule
    expect(result.meetsGuideline14).toBe(false);
  });

  it('does not claim Guideline 14 compliance for negative savings', () => {
    const worse = reporting.map((d) => ({ ...d, consumption: d.consumption + 30 }));
    const result = verifySavings({ baseline, reporting: worse, model: 'linear', confidence: 0.68 });
    expect(result.savings).toBeCloseTo(-80, 9);
    expect(result.meetsGuideline14).toBe(false);
  });

  it('needs reporting days, and drivers on them for a linear baseline', () => {
    expect(() => verifySavings({ baseline, reporting: [], model: 'linear', confidence: 0.9 })).toThrow(
      /at least one reporting day/,
    );
    const noDriver = [{ day: '2026-07-01', consumption: 120 }];
    expect(() => verifySavings({ baseline, reporting: noDriver, model: 'linear', confidence: 0.9 })).toThrow(
      /2026-07-01 has no driver/,
    );
  });
});

describe('studentT', () => {
  // Reference values: NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2 (upper critical
  // values of the t distribution); the 68 % column from the normal and t CDFs (scipy.stats.t.ppf(0.84, df)).
  it.each([
    [0.95, 10, 2.228],
    [0.9, 10, 1.812],
    [0.8, 10, 1.372],
    [0.95, 1, 12.706],
    [0.9, 2, 2.92],
    [0.95, 30, 2.042],
    [0.95, 120, 1.98],
    [0.68, 8, 1.0602],
    [0.68, 30, 1.0112],
    [0.95, Number.POSITIVE_INFINITY, 1.96],
    [0.68, Number.POSITIVE_INFINITY, 0.9945],
  ])('t(%s, %s) = %s', (confidence, df, expected) => {
    expect(studentT(confidence, df)).toBeCloseTo(expected, 3);
  });

  it('rejects a confidence outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentT(95, 10)).toThrow(/Confidence/);
    expect(() => studentT(0.95, 0)).toThrow(/Degrees of freedom/);
  });
});

describe('degreeDays', () => {
  it('counts cooling above and heating below the base temperature', () => {
    expect(degreeDays(24.5, 18, 'cooling')).toBeCloseTo(6.5, 9);
    expect(degreeDays(24.5, 18, 'heating')).toBe(0);
    expect(degreeDays(3, 15.5, 'heating')).toBeCloseTo(12.5, 9);
    expect(degreeDays(3, 15.5, 'cooling')).toBe(0);
  });
});
