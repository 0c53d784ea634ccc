/**
 * A yes/no check of a value against a catalogue schema, compiled once from the zod schema itself:
 * the ingest's fast path (privacy.ts). It answers true only for what zod accepts unchanged; a
 * schema it does not fully model (a transform, a default, an optional key, a check it does not
 * know) compiles to nothing and zod alone judges. A false answer only means "ask zod".
 */
import * as z from 'zod/mini';

export type Check = (value: unknown) => boolean;

interface CheckDef {
  readonly check: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
}

/** zod 4's definition of a schema: what it is, its checks, and its parts. */
interface ZodDef {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  readonly format?: string | null;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly catchall?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
  readonly innerType?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly entries?: Record<string, unknown>;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.core.$ZodType) => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** what JSON.parse makes: an object whose prototype is (some realm's) Object.prototype, or none */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
};

/** min/max length checks only; anything else: not modelled */
function lengthBounds(def: ZodDef): { min: number; max: number } | undefined {
  let min = 0;
  let max = Infinity;
  for (const { _zod } of def.checks ?? []) {
    const check = _zod.def;
    if (check.check === 'min_length' && check.minimum !== undefined) min = Math.max(min, check.minimum);
    else if (check.check === 'max_length' && check.maximum !== undefined) max = Math.min(max, check.maximum);
    else return undefined;
  }
  return { min, max };
}

/** The compiled check of `schema`, or undefined when zod must judge it alone. */
export function compileCheck(schema: z.core.$ZodType): Check | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      // strict objects only: every declared key required, nothing else
      if (!def.shape || !def.catchall || defOf(def.catchall).type !== 'never' || def.checks?.length) return undefined;
      const fields = new Map<string, Check>();
      for (const [key, child] of Object.entries(def.shape)) {
        const check = compileCheck(child);
        if (!check) return undefined;
        fields.set(key, check);
      }
      const size = fields.size;
      return (value) => {
        if (!isPlainObject(value)) return false;
        let seen = 0;
        for (const key in value) {
          const check = fields.get(key);
          if (check === undefined || !Object.hasOwn(value, key) || !check(value[key])) return false;
          seen++;
        }
        return seen === size;
      };
    }
    case 'array': {
      const bounds = lengthBounds(def);
      const element = def.element && compileCheck(def.element);
      if (!bounds || !element) return undefined;
      const { min, max } = bounds;
      return (value) => {
        if (!Array.isArray(value) || value.length < min || value.length > max) return false;
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
        return true;
      };
    }
    case 'nullable': {
      const inner = def.innerType && compileCheck(def.innerType);
      return inner && ((value) => value === null || inner(value));
    }
    case 'string': {
      // A format (uuid, date, datetime, ip) is zod's own regex: ask zod for that one value.
      if (def.format) return (value) => typeof value === 'string' && z.safeParse(schema, value).success;
      const bounds = lengthBounds(def);
      if (!bounds) return undefined;
      const { min, max } = bounds;
      return (value) => typeof value === 'string' && value.length >= min && value.length <= max;
    }
    case 'number': {
      if (def.format && def.format !== 'safeint') return undefined;
      const integer = def.format === 'safeint';
      let low = -Infinity;
      let high = Infinity;
      let lowInclusive = true;
      let highInclusive = true;
      for (const { _zod } of def.checks ?? []) {
        const check = _zod.def;
        if (check.check === 'greater_than' && typeof check.value === 'number') {
          low = check.value;
          lowInclusive = check.inclusive === true;
        } else if (check.check === 'less_than' && typeof check.value === 'number') {
          high = check.value;
          highInclusive = check.inclusive === true;
        } else return undefined;
      }
      return (value) =>
        typeof value === 'number' &&
        (integer ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
        (lowInclusive ? value >= low : value > low) &&
        (highInclusive ? value <= high : value < high);
    }
    case 'boolean':
      return def.checks?.length ? undefined : (value) => typeof value === 'boolean';
    case 'enum': {
      if (!def.entries || def.checks?.length) return undefined;
      const values = new Set(Object.values(def.entries));
      return (value) => (typeof value === 'string' || typeof value === 'number') && values.has(value);
    }
    case 'literal': {
      if (!def.values || def.checks?.length) return undefined;
      const values = new Set(def.values);
      return (value) => values.has(value);
    }
    case 'union': {
      if (!def.options || def.checks?.length) return undefined;
      const options: Check[] = [];
      for (const option of def.options) {
        const check = compileCheck(option);
        if (!check) return undefined;
        options.push(check);
      }
      return (value) => options.some((check) => check(value));
    }
    default:
      return undefined;
  }
}
