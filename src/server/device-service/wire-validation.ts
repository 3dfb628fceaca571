import { Ajv, type ValidateFunction } from 'ajv';
import { StratusError, publishItemSchema, ruleText, subscriptionSchema, syncBodySchema, type WireLimits } from '../../protocol/index.js';

/** A schema as far as error messages read it. */
interface FieldSchema {
  type?: string;
  pattern?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, FieldSchema>;
}

/** A compiled validator and the schema its messages are read from. */
export interface WireValidator {
  readonly check: ValidateFunction;
  readonly schema: FieldSchema;
}

/** The device input validators (protocol/schemas.ts), compiled once per set of limits. */
export interface WireValidators {
  publishItem: WireValidator;
  subscription: WireValidator;
  /** The sync body without its items, which are checked one by one (publish items each on its own). */
  syncEnvelope: WireValidator;
}

// Bodies are checked as sent: no coercion, no defaults written in, unknown fields refused. Patterns
// are ASCII classes, so the faster non-Unicode RegExp matches the same strings.
const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, unicodeRegExp: false });
const compiled = new Map<string, WireValidators>();
/** The hot path looks its validators up by the options object: no key to build per item. */
const byLimits = new WeakMap<WireLimits, WireValidators>();

function compile(schema: object): WireValidator {
  return { check: ajv.compile(schema), schema: schema as FieldSchema };
}

export function wireValidators(limits: WireLimits): WireValidators {
  return byLimits.get(limits) ?? compileFor(limits);
}

function compileFor(limits: WireLimits): WireValidators {
  const key = `${limits.maxPublishPerSync}/${limits.maxSubscribePerSync}/${limits.maxPageSize}`;
  let validators = compiled.get(key);
  if (validators === undefined) {
    const body = syncBodySchema(limits);
    const { items: _p, ...publish } = body.properties.publish;
    const { items: _s, ...subscribe } = body.properties.subscribe;
    validators = {
      publishItem: compile(publishItemSchema()),
      subscription: compile(subscriptionSchema(limits)),
      syncEnvelope: compile({ ...body, properties: { ...body.properties, publish, subscribe } }),
    };
    compiled.set(key, validators);
  }
  byLimits.set(limits, validators);
  return validators;
}

/** What a field must be, in words, from its schema. */
function rule(schema: FieldSchema | undefined): string {
  if (schema === undefined) return 'not be there';
  switch (schema.type) {
    case 'integer':
      return schema.maximum === undefined ? `be an integer of at least ${schema.minimum ?? 0}` : `be an integer from ${schema.minimum ?? 0} to ${schema.maximum}`;
    case 'boolean':
      return 'be true or false';
    case 'array':
      return 'be an array';
    case 'object':
      return 'be an object';
    default:
      if (schema.pattern === undefined) return 'be a string';
      return `${schema.default === undefined ? '' : `be ${String(schema.default)} or `}match ${ruleText(new RegExp(schema.pattern))}`;
  }
}

/**
 * The first problem `validator` found in `data`, as the StratusError a device is answered with:
 * it names the field and what it must be (`publish[2]: stream must match …`). `what` names the
 * item ('' for a whole body); `rules` words a field's rule where its schema cannot (an app's limit).
 */
export function wireError(validator: WireValidator, data: unknown, what: string, rules: Record<string, string> = {}): StratusError {
  const error = validator.check.errors?.[0];
  const prefix = what === '' ? '' : `${what}: `;
  if (error === undefined) return new StratusError('bad_request', `${what || 'the body'} is not valid`);
  if (error.keyword === 'additionalProperties') return new StratusError('bad_request', `${prefix}unknown field "${String(error.params.additionalProperty)}"`);
  const field = error.keyword === 'required' ? String(error.params.missingProperty) : error.instancePath.slice(1);
  if (field === '') return new StratusError('bad_request', what === '' ? 'the body must be a JSON object' : `${what} must be an object`);
  if (error.keyword === 'maxItems') {
    const length = ((data as Record<string, unknown[]>)[field] ?? []).length;
    return new StratusError('too_large', `${prefix}${field} holds ${length} items; the limit is ${String(error.params.limit)}`);
  }
  return new StratusError('bad_request', `${prefix}${field} must ${rules[field] ?? rule(validator.schema.properties?.[field])}`);
}
