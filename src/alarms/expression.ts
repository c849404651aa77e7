/**
 * Safe expressions for combined alarm conditions: parsed by jsep into a syntax tree, checked
 * against a short list of operators, functions and the rule's own input names, and compiled
 * into closures. Nothing is ever handed to eval or Function, so a config file cannot run code.
 *
 * Values are numbers, booleans or null (no good reading). Null propagates: an expression that
 * depends on an unknown input is unknown, and the alarm keeps its state until it is known again.
 * `and`/`or` follow three-valued logic, so `a or b` is true when a is true whatever b is.
 */
import jsep from 'jsep';

export type Scalar = number | boolean | null;
export type Inputs = Readonly<Record<string, Scalar>>;
export type Compiled = (inputs: Inputs) => Scalar;

jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addUnaryOp('not');

/** 0/0 or x/0 is not a value: unknown, never "true" (NaN !== 0 would raise an alarm). */
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const num = (v: Scalar): number | null =>
  v === null ? null : typeof v === 'boolean' ? Number(v) : finite(v);
const truth = (v: Scalar): boolean | null => {
  const n = typeof v === 'number' ? finite(v) : v;
  return n === null ? null : typeof n === 'boolean' ? n : n !== 0;
};

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};
const FUNCTIONS: Record<string, (args: number[]) => number> = {
  abs: ([a = 0]) => Math.abs(a),
  min: (args) => Math.min(...args),
  max: (args) => Math.max(...args),
  round: ([a = 0]) => Math.round(a),
};

export class ExpressionError extends Error {}

/** Parse and check an expression; throws ExpressionError naming what is wrong. */
export function compileExpression(source: string, inputNames: readonly string[]): Compiled {
  let tree: jsep.Expression;
  try {
    tree = jsep(source);
  } catch (err) {
    throw new ExpressionError(`cannot parse "${source}": ${(err as Error).message}`);
  }
  return compileNode(tree, new Set(inputNames));
}

function compileNode(node: jsep.Expression, inputs: ReadonlySet<string>): Compiled {
  switch (node.type) {
    case 'Literal':
      return compileLiteral(node as jsep.Literal);
    case 'Identifier':
      return compileIdentifier(node as jsep.Identifier, inputs);
    case 'UnaryExpression':
      return compileUnary(node as jsep.UnaryExpression, inputs);
    case 'BinaryExpression':
      return compileBinary(node as jsep.BinaryExpression, inputs);
    case 'CallExpression':
      return compileCall(node as jsep.CallExpression, inputs);
    case 'ConditionalExpression': {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      const t = compileNode(test, inputs);
      const c = compileNode(consequent, inputs);
      const a = compileNode(alternate, inputs);
      return (v) => {
        const cond = truth(t(v));
        return cond === null ? null : cond ? c(v) : a(v);
      };
    }
    case 'MemberExpression':
      throw new ExpressionError('"a.b" is not allowed: give each point a plain name under inputs');
    default:
      throw new ExpressionError(`${node.type} is not allowed in an alarm expression`);
  }
}

function compileLiteral(node: jsep.Literal): Compiled {
  const { value } = node;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return () => value;
  throw new ExpressionError(`literal ${node.raw} is not a number or true/false`);
}

function compileIdentifier(node: jsep.Identifier, inputs: ReadonlySet<string>): Compiled {
  const { name } = node;
  if (!inputs.has(name))
    throw new ExpressionError(
      `unknown name "${name}" (inputs are: ${[...inputs].join(', ') || 'none'}; functions: ${Object.keys(FUNCTIONS).join(', ')})`,
    );
  return (v) => v[name] ?? null;
}

function compileUnary(node: jsep.UnaryExpression, inputs: ReadonlySet<string>): Compiled {
  const arg = compileNode(node.argument, inputs);
  switch (node.operator) {
    case '!':
    case 'not':
      return (v) => {
        const t = truth(arg(v));
        return t === null ? null : !t;
      };
    case '-':
      return (v) => {
        const n = num(arg(v));
        return n === null ? null : -n;
      };
    case '+':
      return (v) => num(arg(v));
    default:
      throw new ExpressionError(`operator "${node.operator}" is not allowed`);
  }
}

function compileBinary(node: jsep.BinaryExpression, inputs: ReadonlySet<string>): Compiled {
  const left = compileNode(node.left, inputs);
  const right = compileNode(node.right, inputs);
  const op = node.operator;
  if (op === '&&' || op === 'and') return (v) => kleeneAnd(truth(left(v)), () => truth(right(v)));
  if (op === '||' || op === 'or') return (v) => kleeneOr(truth(left(v)), () => truth(right(v)));
  const arithmetic = ARITHMETIC[op];
  const comparison = COMPARISON[op === '===' ? '==' : op === '!==' ? '!=' : op];
  const apply = arithmetic ?? comparison;
  if (!apply) throw new ExpressionError(`operator "${op}" is not allowed`);
  return (v) => {
    const a = num(left(v));
    const b = num(right(v));
    if (a === null || b === null) return null;
    const result = apply(a, b);
    return typeof result === 'number' ? finite(result) : result;
  };
}

function kleeneAnd(a: boolean | null, b: () => boolean | null): boolean | null {
  if (a === false) return false;
  const right = b();
  if (right === false) return false;
  return a === null || right === null ? null : true;
}

function kleeneOr(a: boolean | null, b: () => boolean | null): boolean | null {
  if (a === true) return true;
  const right = b();
  if (right === true) return true;
  return a === null || right === null ? null : false;
}

function compileCall(node: jsep.CallExpression, inputs: ReadonlySet<string>): Compiled {
  const name = node.callee.type === 'Identifier' ? (node.callee as jsep.Identifier).name : '';
  const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!fn)
    throw new ExpressionError(
      `only the functions ${Object.keys(FUNCTIONS).join(', ')} can be called${name ? ` (not "${name}")` : ''}`,
    );
  if (node.arguments.length === 0) throw new ExpressionError(`${name}() needs at least one argument`);
  const args = node.arguments.map((a) => compileNode(a, inputs));
  return (v) => {
    const values = args.map((a) => num(a(v)));
    return values.some((x) => x === null) ? null : fn(values as number[]);
  };
}
