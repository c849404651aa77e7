/** Alarm expressions: what they compute, how unknowns propagate, and what they refuse to run. */
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../src/alarms/index.js';

describe('alarm expressions', () => {
  it.each([
    ['not p1 and not p2', { p1: false, p2: false }, true],
    ['!p1 && !p2', { p1: true, p2: false }, false],
    ['p1 + p2 + p3 < 2', { p1: true, p2: false, p3: false }, true],
    ['abs(inc - (f1 + f2)) > 0.05 * inc', { inc: 1000, f1: 600, f2: 340 }, true],
    ['abs(inc - (f1 + f2)) > 0.05 * inc', { inc: 1000, f1: 600, f2: 380 }, false],
    ['max(t1, t2) - min(t1, t2) >= 2', { t1: 7, t2: 9 }, true],
    ['flow > 0.5 ? 1 : 0', { flow: 0.7 }, 1],
    ['round(x) == 3', { x: 3.4 }, true],
  ])('%s with %o is %s', (source, inputs, expected) => {
    expect(compileExpression(source, Object.keys(inputs))(inputs)).toBe(expected);
  });

  it('is unknown when it depends on an unknown input, unless a known one decides', () => {
    const both = compileExpression('a and b', ['a', 'b']);
    expect(both({ a: true, b: null })).toBeNull();
    expect(both({ a: false, b: null })).toBe(false);
    const either = compileExpression('a or b', ['a', 'b']);
    expect(either({ a: null, b: true })).toBe(true);
    expect(either({ a: null, b: false })).toBeNull();
    expect(compileExpression('x * 2 > 3', ['x'])({ x: null })).toBeNull();
  });

  it('treats 0/0 and x/0 as unknown, never as true', () => {
    const ratio = compileExpression('a / b', ['a', 'b']);
    expect(ratio({ a: 0, b: 0 })).toBeNull();
    expect(ratio({ a: 5, b: 0 })).toBeNull();
    expect(compileExpression('a / b > 2', ['a', 'b'])({ a: 5, b: 0 })).toBeNull();
    expect(compileExpression('not (a / b)', ['a', 'b'])({ a: 0, b: 0 })).toBeNull();
  });

  it.each([
    ['process.exit(1)', /only the functions abs, min, max, round/],
    ['constructor.constructor("return 1")()', /a\.b|only the functions/],
    ['this', /not allowed/],
    ['[1, 2]', /not allowed/],
    ['x = 3', /./],
    ['"text" == x', /not a number/],
    ['y > 1', /unknown name "y"/],
    ['toString(x)', /only the functions/],
    ['x > > 1', /cannot parse/],
  ])('refuses %s', (source, message) => {
    expect(() => compileExpression(source, ['x'])).toThrow(ExpressionError);
    expect(() => compileExpression(source, ['x'])).toThrow(message);
  });
});
