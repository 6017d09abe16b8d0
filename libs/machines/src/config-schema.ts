import type { FieldError } from '@praxis/common';
import type { JsonSchema } from '@praxis/hardware';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Connection-config schemas are JSON Schema draft 2020-12 (the hardware library's subset); a custom
// definition may declare draft-07 (or 06) with `$schema`, and is compiled as that draft.
const OPTIONS = { allErrors: true, useDefaults: true, strict: false } as const;
const DRAFT_07 = /json-schema\.org\/draft-0[67]\/schema/;

/** Compiled validators by schema text. Each schema gets its own Ajv, so `$id`s never collide. */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 200;

/** Compiles a connection-config schema (cached). Throws Ajv's error when the schema is invalid. */
export function compileConfigSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const ajv = typeof schema.$schema === 'string' && DRAFT_07.test(schema.$schema) ? new Ajv(OPTIONS) : new Ajv2020(OPTIONS);
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, validate);
  return validate;
}

/** Why a config schema is unusable, or undefined when it compiles and describes an object. */
export function configSchemaProblem(schema: JsonSchema): string | undefined {
  if (schema.type !== undefined && schema.type !== 'object') return 'must describe an object (type: object): connection configs are JSON objects';
  try {
    compileConfigSchema(schema);
    return undefined;
  } catch (err) {
    return `does not compile: ${(err as Error).message}`;
  }
}

function unpointer(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function toFieldError(e: ErrorObject, root: string): FieldError {
  const path = unpointer(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' || e.keyword === 'dependentRequired' || e.keyword === 'dependencies') path.push(String(params.missingProperty));
  if (e.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  if (e.keyword === 'unevaluatedProperties') path.push(String(params.unevaluatedProperty));
  const field = [root, ...path].join('.');
  let message: string;
  switch (e.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
      message = `${field} is required`;
      break;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      message = `${field} is not a setting of this backend`;
      break;
    case 'enum':
      message = `${field} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      message = `${field} must be ${JSON.stringify(params.allowedValue)}`;
      break;
    default:
      message = `${field} ${e.message ?? 'is invalid'}`;
  }
  return { field, message, constraints: { [e.keyword]: message } };
}

/**
 * Validates a connection config against a backend's schema. Returns a copy with the schema's
 * defaults applied, or the offending fields as `connectionConfig.<path>`.
 */
export function validateConnectionConfig(
  schema: JsonSchema,
  config: Record<string, unknown>,
  root = 'connectionConfig',
): { value: Record<string, unknown>; errors: FieldError[] } {
  const value = structuredClone(config);
  const validate = compileConfigSchema(schema);
  if (validate(value)) return { value, errors: [] };
  const seen = new Set<string>();
  const errors = (validate.errors ?? [])
    .map((e) => toFieldError(e, root))
    .filter((f) => (seen.has(f.message) ? false : (seen.add(f.message), true)));
  return { value, errors };
}
