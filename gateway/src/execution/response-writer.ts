import { GraphQLError, isAbstractType, isCompositeType, isInterfaceType, isObjectType, type GraphQLCompositeType } from 'graphql';
import { leafText } from './leaf-values.js';
import { fieldsOf, type CompiledField, type SelectionGroup, type Shape, type TypeShape, type Runtime } from './response-shape.js';

/** Signals that a null reached a non-null position: the nearest nullable parent becomes null. */
const BUBBLE = Symbol('null bubbles up');
type Written = string | typeof BUBBLE;

type Data = Record<string, unknown>;

/** A field and its type (or its list's item type), where a value sits: for error messages. */
type Place = { field: CompiledField; type: TypeShape };

export type WrittenResponse =
  | {
      /** JSON text of `data`: `null` when a null reached the root. */
      data: string;
      /** Values that could not be completed, with where; none for what `explained` already accounts for. */
      errors: GraphQLError[];
      /** Bytes of `data` as UTF-8, or at most (its length, when that alone shows it is within `maxBytes`). */
      bytes: number;
    }
  /** The text passed `maxBytes`: writing stopped there. */
  | { tooLarge: true };

export type WriteOptions = {
  /** The already shaped values of root `__schema` and `__type` fields, by response name. */
  introspection?: Readonly<Record<string, unknown>> | undefined;
  /** False when no string in `data` can need escaping (see NO_ESCAPES in subgraph-answer.ts): strings are then quoted as they are. */
  escapes: boolean;
  /**
   * Whether a missing value is already accounted for: an error the plan's
   * execution reported at an overlapping path, or a failed fetch for the object
   * holding it. Asked only when a non-null value is missing.
   */
  explained?: ((path: readonly (string | number)[], holder: Data) => boolean) | undefined;
  /** Objects a fetch was not sent for, with why (query-plan-executor.ts): a value missing in one is null with that error. */
  refused?: ReadonlyMap<Data, { message: string; serviceName: string }> | undefined;
  /** The most bytes of UTF-8 `data` may take; writing stops as soon as it is past them. */
  maxBytes?: number | undefined;
};

/** Thrown through the writer's recursion when the text passes its limit. */
const TOO_LARGE = Symbol('too large');

/**
 * Writes the client's response straight from the merged subgraph data, as
 * JSON text: only the fields the operation selected, in its order, under its
 * aliases, each value completed as the GraphQL spec completes it against the
 * API schema. It replaces @apollo/gateway's computeResponse followed by
 * JSON.stringify, which built the whole response as objects first.
 *
 * Completion, as the spec has it and as stock computes the data:
 * - leaves through their type (leaf-values.ts);
 * - the runtime type of an object from its `__typename`; without one (the
 *   planner does not always fetch it), or naming an interface (what an
 *   `@interfaceObject` subgraph answers), the fields and fragments that type
 *   has in common are written, as stock writes them;
 * - a value that cannot be completed is null with an error at its path,
 *   and a null in a non-null position makes the nearest nullable parent null.
 *   Where a subgraph's error or a failed fetch already explains a missing
 *   value, the null propagates without a second error, as in graphql-js one
 *   error is reported per failure, not per level it propagates through.
 *   Stock reports these errors in `extensions.valueCompletion`, and only when
 *   nothing else failed; Junction reports them in `errors`, as the spec does
 *   (docs/CONFORMANCE.md).
 *
 * The fields of each selection are collected once per runtime type and kept
 * with the operation (response-shape.ts), so a repeated operation only walks its data.
 */
export function writeResponse(shape: Shape, data: Data, options: WriteOptions): WrittenResponse {
  const writer = new Writer(shape, options);
  let written: Written;
  try {
    written = writer.object(data, { type: shape.root, known: true }, shape.fields, undefined);
  } catch (error) {
    if (error === TOO_LARGE) return { tooLarge: true };
    throw error;
  }
  const text = written === BUBBLE ? 'null' : written;
  // The writer counted characters; UTF-8 takes up to 3 bytes for one, so bytes are counted only where that matters.
  const max = options.maxBytes ?? Infinity;
  const bytes = text.length * 3 <= max ? text.length : Buffer.byteLength(text);
  return bytes > max ? { tooLarge: true } : { data: text, errors: writer.errors, bytes };
}

/**
 * One object of a deferred fragment's payload (defer/incremental-answer.ts):
 * `group`'s fields of `value`, written as in a plain answer, with error
 * paths from `path`. A null that reaches the object stops there: its
 * payload's data is then `null`, as the incremental delivery RFC has it.
 */
export function writeObjectAt(
  shape: Shape,
  value: Data,
  runtime: Runtime,
  group: SelectionGroup,
  path: readonly (string | number)[],
  options: WriteOptions,
): WrittenResponse {
  const writer = new Writer(shape, options);
  writer.at(path);
  let written: Written;
  try {
    written = writer.object(value, runtime, group, undefined);
  } catch (error) {
    if (error === TOO_LARGE) return { tooLarge: true };
    throw error;
  }
  const text = written === BUBBLE ? 'null' : written;
  const bytes = Buffer.byteLength(text);
  return bytes > (options.maxBytes ?? Infinity) ? { tooLarge: true } : { data: text, errors: writer.errors, bytes };
}

class Writer {
  readonly errors: GraphQLError[] = [];
  private readonly path: (string | number)[] = [];
  private readonly introspection: Readonly<Record<string, unknown>> | undefined;
  private readonly escapes: boolean;
  private readonly explained: WriteOptions['explained'];
  private readonly refused: WriteOptions['refused'];
  /** The most characters the text may take: at least its bytes' worth, so past it the text is surely too large. */
  private readonly room: number;
  /**
   * Characters written so far, counted as each key and leaf is written (a
   * value nested in others is counted once, not once per level), including
   * those of objects a null then replaced: what the writer holds never passes `room`.
   */
  private size = 0;

  constructor(
    private readonly shape: Shape,
    options: WriteOptions,
  ) {
    this.introspection = options.introspection;
    this.escapes = options.escapes;
    this.explained = options.explained;
    this.refused = options.refused;
    this.room = options.maxBytes ?? Infinity;
  }

  /** Error paths start at `path` (a deferred payload's). */
  at(path: readonly (string | number)[]): void {
    this.path.push(...path);
  }

  /** An object of `runtime` type; `place` is the field (and its type) it is the value of, none at the root. */
  object(value: Data, runtime: Runtime, group: SelectionGroup, place: Place | undefined): Written {
    const fields = fieldsOf(this.shape, group, runtime);
    let out = '';
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index]!;
      this.grow(field.key.length + 1);
      let text: Written;
      if (field.answer === 'typename') {
        // Without an object type (no __typename, or an interface object's), the gateway cannot say which type it is.
        if (!isObjectType(runtime.type)) {
          this.error(`Invalid __typename found for object at ${place ? this.describe(place.field, place.type) : 'the root'}.`);
          return BUBBLE;
        }
        text = `"${runtime.type.name}"`;
        this.grow(text.length);
      } else if (field.answer === 'introspection') {
        // Only root fields: validation refuses them anywhere else.
        text = JSON.stringify(this.introspection?.[field.responseName] ?? null);
        this.grow(text.length);
      } else {
        this.path.push(field.responseName);
        text = this.value(value[field.source], field.type!, field, value);
        this.path.pop();
        if (text === BUBBLE) return BUBBLE;
      }
      out = index === 0 ? field.opening + text : out + field.following + text;
    }
    return fields.length === 0 ? '{}' : `${out}}`;
  }

  /** A value in the position of `type`; `holder` is the object the field belongs to. */
  private value(value: unknown, type: TypeShape, field: CompiledField, holder: Data): Written {
    if (value === null || value === undefined) {
      const refusal = value === undefined && this.refused?.size ? this.refused.get(holder) : undefined;
      if (refusal) {
        this.errors.push(new GraphQLError(refusal.message, { path: [...this.path], extensions: { code: 'QUERY_PLAN_INVALID', serviceName: refusal.serviceName } }));
        return type.nonNull ? BUBBLE : 'null';
      }
      if (!type.nonNull) {
        this.grow(4);
        return 'null';
      }
      if (!this.explained?.(this.path, holder)) this.error(`Cannot return null for non-nullable ${this.describe(field, type)}.`);
      return BUBBLE;
    }
    let written: Written | undefined;
    if (type.kind === 'leaf') {
      written = leafText(type.leaf, value, this.escapes);
      if (written === undefined) return this.invalid('Invalid value found for', field, type);
      this.grow(written.length);
      return written;
    }
    if (type.kind === 'list') {
      if (!Array.isArray(value)) return this.invalid('Invalid value found for', field, type);
      written = this.list(value, type.item, field, holder);
    } else {
      if (typeof value !== 'object' || Array.isArray(value)) return this.invalid('Invalid value found for', field, type);
      const runtime = this.runtimeOf(value as Data, type.type);
      if (!runtime) return this.invalid('Invalid __typename found for object at', field, type);
      written = this.object(value as Data, runtime, field.group, { field, type });
    }
    return written === BUBBLE && !type.nonNull ? 'null' : written;
  }

  private list(values: readonly unknown[], itemType: TypeShape, field: CompiledField, holder: Data): Written {
    // A null in a non-null item position loses the list, but its other items are still completed, as stock does:
    // an object stops at its first such field, a list reports every item's error.
    let bubbled = false;
    let out = '[';
    this.grow(values.length + 1);
    for (let index = 0; index < values.length; index++) {
      this.path.push(index);
      const text = this.value(values[index], itemType, field, holder);
      this.path.pop();
      if (text === BUBBLE) bubbled = true;
      else if (!bubbled) out += index === 0 ? text : `,${text}`;
    }
    return bubbled ? BUBBLE : `${out}]`;
  }

  /**
   * The value's runtime type, from its `__typename` read against the API
   * schema, or undefined when that names no type the value can have: a type
   * the API schema lacks (an `@inaccessible` one), a leaf type, an object type
   * other than the field's, or a type outside the field's abstract type.
   */
  private runtimeOf(value: Data, type: GraphQLCompositeType): Runtime | undefined {
    const typename = value.__typename;
    if (typename === undefined || typename === type.name) return { type, known: typename !== undefined };
    if (typeof typename !== 'string') return undefined;
    const named = this.shape.schema.getType(typename);
    if (!named || !isCompositeType(named)) return undefined;
    if (isObjectType(type)) {
      // An interface object's answer for a field of an object type that implements it: the field's type says which.
      return isAbstractType(named) && this.shape.schema.isSubType(named, type) ? { type, known: true } : undefined;
    }
    if (isObjectType(named) || isInterfaceType(named)) {
      return this.shape.schema.isSubType(type, named) ? { type: named, known: true } : undefined;
    }
    return undefined;
  }

  /** Counts `characters` more written; past the limit, writing stops. */
  private grow(characters: number): void {
    this.size += characters;
    if (this.size > this.room) throw TOO_LARGE;
  }

  /** A value that cannot be completed: null with an error at its path, or `BUBBLE` in a non-null position. */
  private invalid(what: string, field: CompiledField, type: TypeShape): Written {
    this.error(`${what} ${this.describe(field, type)}.`);
    return type.nonNull ? BUBBLE : 'null';
  }

  private error(message: string): void {
    this.errors.push(new GraphQLError(message, { path: [...this.path], extensions: { code: 'INVALID_GRAPHQL' } }));
  }

  /** Where a value sits, worded as stock words it: `field Type.name`, or `array element of type T at index i`. */
  private describe(field: CompiledField, type: TypeShape): string {
    const last = this.path[this.path.length - 1];
    return typeof last === 'number' ? `array element of type ${type.name} at index ${last}` : `field ${field.parent}.${last}`;
  }
}
