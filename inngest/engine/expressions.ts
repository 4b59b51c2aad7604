import { Environment, parse, serialize, type ASTNode } from "@marcbachmann/cel-js";

/**
 * CEL as Inngest evaluates it: variables `event`, `async`, `vars`; a missing attribute is
 * null instead of an error; numbers compare across int and double. Member chains on the
 * variables are rewritten to optional selection (`event.?data.?x.orValue(null)`), which is
 * how "missing → null" is expressed in standard CEL.
 */
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

const VARIABLES = new Set(["event", "async", "vars"]);
type Node = ASTNode & { op: string; args: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "op" in value;
}

function rootsAtVariable(node: Node): boolean {
  if (node.op === "id") return VARIABLES.has(node.args as string);
  if (node.op === "." || node.op === "[]") {
    const [target] = node.args as unknown[];
    return isNode(target) && rootsAtVariable(target);
  }
  return false;
}

function toOptionalChain(node: Node): Node {
  if (node.op === "." || node.op === "[]") {
    const [target, key] = node.args as [Node, unknown];
    return {
      ...node,
      op: node.op === "." ? ".?" : "[?]",
      args: [toOptionalChain(target), isNode(key) ? rewrite(key) : key],
    } as Node;
  }
  return node;
}

function rewrite(node: Node): Node {
  if ((node.op === "." || node.op === "[]") && rootsAtVariable(node)) {
    const chain = toOptionalChain(node);
    return {
      ...node,
      op: "rcall",
      args: ["orValue", chain, [{ op: "value", args: null }]],
    } as unknown as Node;
  }
  const args = node.args;
  if (Array.isArray(args)) {
    return {
      ...node,
      args: args.map((arg) =>
        isNode(arg)
          ? rewrite(arg)
          : Array.isArray(arg)
            ? arg.map((item) => (isNode(item) ? rewrite(item) : item))
            : arg,
      ),
    } as Node;
  }
  return node;
}

/** JSON numbers that are integers become CEL ints, so `event.data.n == 5` holds. */
function toCelValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCelValue(item)]));
  }
  return value;
}

function fromCelValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromCelValue);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([key, item]) => [String(key), fromCelValue(item)]));
  if (value && typeof value === "object" && value.constructor === Object) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fromCelValue(item)]),
    );
  }
  return value;
}

export type CompiledExpression = (variables: Record<string, unknown>) => unknown;

const cache = new Map<string, CompiledExpression>();

/** Compiles once per source; throws a clear error for a syntax error. */
export function compileExpression(source: string): CompiledExpression {
  const cached = cache.get(source);
  if (cached) return cached;
  const rewritten = serialize(rewrite(parse(source).ast as Node) as ASTNode);
  const program = environment.parse(rewritten);
  const compiled: CompiledExpression = (variables) =>
    fromCelValue(
      program(
        Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [key, toCelValue(value)]),
        ),
      ),
    );
  if (cache.size > 1_000) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

/** Evaluates to a boolean; an expression that errors (e.g. mismatched types) is false. */
export function expressionMatches(source: string, variables: Record<string, unknown>): boolean {
  try {
    return compileExpression(source)(variables) === true;
  } catch {
    return false;
  }
}

/** A key for concurrency or idempotency: strings as they are, anything else as JSON. */
export function evaluateKey(source: string, variables: Record<string, unknown>): string {
  let value: unknown;
  try {
    value = compileExpression(source)(variables);
  } catch {
    value = null;
  }
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}
