import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import type { GraphQLSchema } from 'graphql';
import { keyOf, type Data } from './response-tree.js';

/**
 * Which entities of one entity fetch have the same representation, so that
 * each distinct one is sent once (query-plan-executor.ts's fetchEntities).
 *
 * An entity's key fields are read off it in the order of the fetch's
 * `requires` and followed down a tree of Maps, one level per value, without
 * building the representation or a text key: an entity seen before ends on
 * its index, a new one on the place its index goes. In the benchmark query
 * this is 381 entities a request, and text keys were an eighth of what the
 * executor allocated. A fragment leaves a mark of whether it applied, so two
 * entities end at the same place only if their representations are the same.
 * Keys with lists, objects or object-valued scalars are keyed by their text
 * (keyOf), apart.
 */
type Level = Map<unknown, unknown>;

const START = Symbol('start');
const APPLIES = Symbol('fragment applies');
const SKIPPED = Symbol('fragment skipped');
const INCOMPLETE = Symbol('fragment lacks a field');
/** The key needs its text: a value is a list or an object. */
const AS_TEXT = Symbol('as text');

export class RepresentationKeys {
  private readonly levels: Level = new Map();
  private readonly texts = new Map<string, number>();
  /** Where the last lookup ended: the level and value its index is kept under. */
  private level: Level = this.levels;
  private last: unknown = START;

  /**
   * The index given before to an entity with the same representation;
   * undefined for a new one (then `remember` its index); null when the entity
   * lacks a field the fetch requires.
   */
  lookup(schema: GraphQLSchema, entity: Data, requires: readonly QueryPlanSelectionNode[]): number | null | undefined {
    this.level = this.levels;
    this.last = START;
    const walked = this.walk(schema, entity, requires);
    if (walked === undefined) return null;
    if (walked === AS_TEXT) {
      const text = keyOf(schema, entity, requires);
      return text === undefined ? null : this.lookupText(text);
    }
    return this.level.get(this.last) as number | undefined;
  }

  /** The same, for a representation already built and keyed as JSON text (with input rewrites). */
  lookupText(text: string): number | undefined {
    this.level = this.texts;
    this.last = text;
    return this.texts.get(text);
  }

  /** Keeps `index` for the representation of the last lookup. */
  remember(index: number): void {
    this.level.set(this.last, index);
  }

  /** Follows `source`'s values; undefined when one is missing, AS_TEXT when one needs its text. */
  private walk(schema: GraphQLSchema, source: Data, selections: readonly QueryPlanSelectionNode[]): true | undefined | typeof AS_TEXT {
    for (const selection of selections) {
      if (selection.kind === 'Field') {
        const value = source[selection.alias ?? selection.name];
        if (value === undefined) return undefined;
        if (value !== null && (typeof value === 'object' || selection.selections)) return AS_TEXT;
        this.step(value);
      } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
        this.step(APPLIES);
        const inner = this.walk(schema, source, selection.selections);
        if (inner === AS_TEXT) return AS_TEXT;
        // As keyOf and project have it: a fragment lacking a field adds nothing, and the entity goes on.
        if (inner === undefined) this.step(INCOMPLETE);
      } else this.step(SKIPPED);
    }
    return true;
  }

  /** One value further down: the level under the value before is made when first reached. */
  private step(value: unknown): void {
    let next = this.level.get(this.last) as Level | undefined;
    if (next === undefined) {
      next = new Map();
      this.level.set(this.last, next);
    }
    this.level = next;
    this.last = value;
  }
}
