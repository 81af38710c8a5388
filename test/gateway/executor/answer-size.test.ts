import { buildSchema, getOperationAST, parse, type FragmentDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileShape } from '#gateway/execution/response-shape.js';
import { writeResponse } from '#gateway/execution/response-writer.js';

/**
 * The response writer's share of MAX_RESPONSE_BYTES: it stops as soon as the
 * text it writes passes the limit, counted in UTF-8 bytes, and writes in full
 * what fits.
 */
const schema = buildSchema('type Query { items: [Item!]! } type Item { name: String! note: String }');

function write(query: string, data: Record<string, unknown>, maxBytes: number | undefined) {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  return writeResponse(compileShape(schema, operation, fragments, {}), data, { escapes: true, maxBytes });
}

const items = (count: number, name: string) => ({ items: Array.from({ length: count }, () => ({ name, note: null })) });

describe('the response writer within maxBytes', () => {
  const query = '{ items { name note } }';
  // {"items":[{"name":"abc","note":null},...]}: 11, and 27 per item with its comma.
  const exact = (count: number) => 11 + 27 * count;

  it('writes an answer that fits, exactly at the limit too', () => {
    const written = write(query, items(100, 'abc'), exact(100));
    expect(written).toEqual({ data: JSON.stringify(items(100, 'abc')), errors: [], bytes: exact(100) });
  });

  it('stops one byte past the limit', () => {
    expect(write(query, items(100, 'abc'), exact(100) - 1)).toEqual({ tooLarge: true });
  });

  it('stops early in a long answer, without writing the rest', () => {
    expect(write(query, items(200_000, "abc"), 1_000)).toEqual({ tooLarge: true });
  });

  it('counts UTF-8 bytes, not characters: three for each €', () => {
    const euros = items(100, '€€€');
    const bytes = Buffer.byteLength(JSON.stringify(euros));
    expect(bytes).toBe(exact(100) + 6 * 100);
    expect(write(query, euros, bytes)).toMatchObject({ bytes });
    // Fewer characters than the limit, more bytes: too large.
    expect(JSON.stringify(euros).length).toBeLessThan(bytes - 1);
    expect(write(query, euros, bytes - 1)).toEqual({ tooLarge: true });
  });

  it('has no limit without maxBytes', () => {
    expect(write(query, items(1_000, 'abc'), undefined)).toMatchObject({ bytes: exact(1_000) });
  });
});
