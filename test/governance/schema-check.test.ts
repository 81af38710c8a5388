import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCheckReport } from '../../scripts/schema/check-report.js';
import { checkProposedSchema } from '../../scripts/schema/schema-workflow.js';
import { createSchemaWorkspace, root, type SchemaWorkspace } from '../support/schema-workspace.js';

/**
 * npm run schema:check on real schema changes: each test edits a copy of
 * schema/, composes it for real and compares it with the published baseline,
 * against the registered operations in trusted-documents/.
 */
let workspace: SchemaWorkspace;
beforeEach(async () => {
  workspace = await createSchemaWorkspace();
});
afterEach(async () => {
  await workspace.remove();
});

/** Removes a field and the description line just above it. */
const removeField = (field: string) => (sdl: string) => sdl.replace(new RegExp(`\\n[^\\n]*"[^\\n]*\\n\\s*${field}:[^\\n]*`), '');

describe('the repository as committed', () => {
  it('equals the published baseline, and so does HEAD', async () => {
    const report = await checkProposedSchema({ configFile: `${root}supergraph.yaml` });
    expect(report.changes).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.summary.operations).toBe(8);

    const atHead = await checkProposedSchema({ configFile: `${root}supergraph.yaml`, against: 'git:HEAD' });
    expect(atHead.against).toBe('git:HEAD');
    expect(atHead.changes.filter((change) => change.severity === 'breaking')).toEqual([]);
  });
});

describe('a breaking change', () => {
  it('to a field registered operations select fails, naming the clients and operations', async () => {
    await workspace.edit('products', removeField('description'));

    const report = await workspace.check();

    expect(report.passed).toBe(false);
    expect(report.changes).toEqual([
      {
        severity: 'breaking',
        type: 'FIELD_REMOVED',
        coordinate: 'Product.description',
        message: 'Product.description was removed.',
        affects: ['Product.description'],
        usedBy: [
          { client: 'partner', id: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'Catalogue' },
          { client: 'web', id: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'ProductPage' },
        ],
        fails: true,
      },
    ]);
    expect(report.brokenOperations.map((operation) => `${operation.client}: ${operation.name}`)).toEqual([
      'partner: Catalogue',
      'web: ProductPage',
    ]);
    const text = formatCheckReport(report);
    expect(text).toContain('Breaking (1)\n  ✗ Product.description was removed. [FIELD_REMOVED]\n      used by partner: Catalogue, web: ProductPage');
    expect(text).toMatch(/Failed: 1 breaking change used by registered operations; 2 registered operations no longer valid\.\n$/);
  });

  it('that no registered operation uses passes with a warning', async () => {
    await workspace.edit('accounts', removeField('createdAt'));

    const report = await workspace.check();

    expect(report.passed).toBe(true);
    expect(report.changes.map(({ severity, message, usedBy, fails }) => ({ severity, message, usedBy, fails }))).toEqual([
      { severity: 'breaking', message: 'User.createdAt was removed.', usedBy: [], fails: false },
    ]);
    const text = formatCheckReport(report);
    expect(text).toContain('  ! User.createdAt was removed. [FIELD_REMOVED]\n      no registered operation uses it');
    expect(text).toContain('Passed, with a warning: 1 breaking change no registered operation uses.');
  });

  it('making a nullable argument non-null is breaking for the operations passing it', async () => {
    await workspace.edit('products', (sdl) => sdl.replace('after: String\n', 'after: String!\n'));

    const report = await workspace.check();

    expect(report.passed).toBe(false);
    expect(report.changes).toMatchObject([
      {
        severity: 'breaking',
        type: 'ARG_CHANGED_KIND',
        coordinate: 'Query.products(after:)',
        message: 'Query.products arg after has changed type from String to String!.',
        // Now required: an operation that leaves it out breaks as well.
        affects: ['Query.products'],
        usedBy: [{ client: 'partner', name: 'Catalogue' }],
        fails: true,
      },
    ]);
  });

  it('removing an enum value an operation passes as a literal fails; a variable of the enum may send it', async () => {
    await workspace.edit('reviews', (sdl) =>
      sdl
        .replace(
          '  reviews("How many reviews to return, from 1 to 100." first: Int = 10): [Review!]! @listSize(slicingArguments: ["first"])\n}\n\n# The reviews subgraph\'s view of a product',
          '  reviews("How many reviews to return, from 1 to 100." first: Int = 10): [Review!]! @listSize(slicingArguments: ["first"])\n}\n\n"In which order reviews come."\nenum ReviewOrder {\n  "Newest first."\n  NEWEST\n  "Oldest first."\n  OLDEST\n}\n\n# The reviews subgraph\'s view of a product',
        )
        .replace(
          '  "The product\'s reviews, newest first: at most `first` of them (1 to 100)."\n  reviews("How many reviews to return, from 1 to 100." first: Int = 10): [Review!]!',
          '  "The product\'s reviews: at most `first` of them (1 to 100)."\n  reviews("How many reviews to return, from 1 to 100." first: Int = 10, "Their order." orderBy: ReviewOrder = NEWEST): [Review!]!',
        ),
    );
    await workspace.publish();
    await workspace.registerOperations({
      web: [{ name: 'FirstReviews', body: 'query FirstReviews($upc: String!) { product(upc: $upc) { reviews(orderBy: OLDEST) { id } } }' }],
      partner: [
        { name: 'Reviews', body: 'query Reviews($upc: String!, $order: ReviewOrder) { product(upc: $upc) { reviews(orderBy: $order) { id } } }' },
        { name: 'Newest', body: 'query Newest($upc: String!) { product(upc: $upc) { reviews(orderBy: NEWEST) { id } } }' },
      ],
    });
    await workspace.edit('reviews', (sdl) => sdl.replace('  "Oldest first."\n  OLDEST\n', ''));

    const report = await workspace.check();

    expect(report.passed).toBe(false);
    expect(report.changes).toMatchObject([
      {
        severity: 'breaking',
        type: 'VALUE_REMOVED_FROM_ENUM',
        coordinate: 'ReviewOrder.OLDEST',
        usedBy: [
          { client: 'partner', name: 'Reviews' },
          { client: 'web', name: 'FirstReviews' },
        ],
        fails: true,
      },
    ]);
    expect(report.brokenOperations).toMatchObject([
      { client: 'web', name: 'FirstReviews', errors: ['Value "OLDEST" does not exist in "ReviewOrder" enum. Did you mean the enum value "NEWEST"?'] },
    ]);
  });
});

describe('a safe change', () => {
  it('adding an optional field', async () => {
    await workspace.edit('products', (sdl) =>
      sdl.replace('  "A paragraph describing the product."', '  "The maker\'s brand name, when known."\n  brand: String\n  "A paragraph describing the product."'),
    );

    const report = await workspace.check();

    expect(report.passed).toBe(true);
    expect(report.changes).toEqual([
      expect.objectContaining({ severity: 'safe', type: 'FIELD_ADDED', message: 'Product.brand was added.', fails: false }),
    ]);
    expect(formatCheckReport(report)).toContain('Safe (1)\n  + Product.brand was added. [FIELD_ADDED]\n\nPassed: no breaking changes.');
  });
});

describe('federation-aware rules', () => {
  it('report a @key change and a @requires change, as dangerous, with the operations involved', async () => {
    await workspace.edit('reviews', (sdl) => sdl.replace('type Review @key(fields: "id")', 'type Review @key(fields: "id body")'));
    await workspace.edit('inventory', (sdl) =>
      sdl
        .replace('@requires(fields: "price weight")', '@requires(fields: "price")')
        .replace('  "The shipping weight in grams."\n  weight: Int! @external\n', ''),
    );

    const report = await workspace.check();

    expect(report.passed).toBe(true);
    expect(report.changes.map(({ severity, type, message }) => ({ severity, type, message }))).toEqual([
      { severity: 'dangerous', type: 'REQUIRES_CHANGED', message: 'Product.shippingEstimate @requires changed from "price weight" to "price" in subgraph inventory.' },
      { severity: 'dangerous', type: 'KEY_CHANGED', message: 'Review\'s @key in subgraph reviews changed from "id" to "id body".' },
    ]);
    expect(report.changes[0]?.usedBy.map((operation) => operation.name)).toEqual(['Shelf', 'ProductPage']);
  });

  it('report a field moving to another subgraph', async () => {
    await workspace.edit('products', removeField('description'));
    await workspace.edit('inventory', (sdl) =>
      sdl.replace('  "How many units are in the warehouse."', '  "A paragraph describing the product."\n  description: String!\n  "How many units are in the warehouse."'),
    );

    const report = await workspace.check();

    expect(report.passed).toBe(true);
    expect(report.changes).toMatchObject([
      {
        severity: 'dangerous',
        type: 'FIELD_OWNER_CHANGED',
        coordinate: 'Product.description',
        message: 'Product.description moved: resolved by products before, by inventory now.',
      },
    ]);
  });
});

describe('deprecations', () => {
  it('a new @deprecated shows as a change, and the check lists who still uses it', async () => {
    await workspace.edit('inventory', (sdl) => sdl.replace('inStock: Boolean!', 'inStock: Boolean! @deprecated(reason: "Use `quantity`.")'));

    const report = await workspace.check();

    expect(report.passed).toBe(true);
    expect(report.changes).toMatchObject([
      { severity: 'safe', type: 'DEPRECATION_ADDED', coordinate: 'Product.inStock', message: 'Product.inStock was deprecated: Use `quantity`.' },
    ]);
    expect(report.deprecations).toMatchObject([
      {
        coordinate: 'Product.inStock',
        reason: 'Use `quantity`.',
        usedBy: [
          { client: 'partner', name: 'StockLevel' },
          { client: 'partner', name: 'Restock' },
          { client: 'web', name: 'Shelf' },
          { client: 'web', name: 'ProductPage' },
        ],
      },
    ]);
    expect(formatCheckReport(report)).toContain(
      'Deprecated (1)\n  - Product.inStock (Use `quantity`.): used by partner: StockLevel, partner: Restock, web: Shelf, web: ProductPage',
    );
  });
});
