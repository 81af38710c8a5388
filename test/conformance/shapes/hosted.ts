import type { Shape } from '../shape.js';
import { abstractTypesShape } from './abstract-types.js';
import { booksShape } from './books.js';
import { contextShape } from './context.js';
import { deepShape } from './deep.js';
import { enumsInaccessibleShape } from './enums-inaccessible.js';
import { interfaceObjectsShape } from './interface-objects.js';
import { mutationsShape } from './mutations.js';
import { nullKeysShape } from './null-keys.js';
import { overrideLabelShape, overridePercentShape, overrideShape } from './overrides.js';
import { keysMashupShape, nonResolvableInterfaceObjectShape } from './planner-gaps.js';
import { requiresProvidesShape } from './requires-provides.js';
import { shopShape } from './shop.js';

/** Every shape whose subgraphs subgraph-host.ts serves, by name. */
export const hostedShapes: Record<string, Shape> = Object.fromEntries(
  [
    booksShape,
    shopShape,
    interfaceObjectsShape,
    enumsInaccessibleShape,
    abstractTypesShape,
    requiresProvidesShape,
    overrideShape,
    overridePercentShape,
    overrideLabelShape,
    contextShape,
    nullKeysShape,
    mutationsShape,
    deepShape,
    keysMashupShape,
    nonResolvableInterfaceObjectShape,
  ].map((shape) => [shape.name, shape]),
);

/** The subgraphs of a shape's variant: the shape's, with those the variant names replaced. */
export function subgraphsOf(shape: Shape, variant?: string): Shape['subgraphs'] {
  const replacing = variant === undefined ? [] : (shape.variants?.[variant] ?? []);
  return shape.subgraphs.map((subgraph) => replacing.find((replacement) => replacement.name === subgraph.name) ?? subgraph);
}

/** Where the host serves a subgraph: `/<shape>/<subgraph>`, or `/<shape>~<variant>/<subgraph>` for one a variant replaces. */
export function pathOf(shape: Shape, subgraph: string, variant?: string): string {
  const replaced = variant !== undefined && (shape.variants?.[variant] ?? []).some((replacement) => replacement.name === subgraph);
  return replaced ? `/${shape.name}~${variant}/${subgraph}` : `/${shape.name}/${subgraph}`;
}
