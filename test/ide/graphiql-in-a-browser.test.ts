import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaOf } from '#tooling/api-schema.js';
import { IDE_ASSET_PREFIX } from '#gateway/http/ide.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * GraphiQL on /graphql as a person uses it, in Debian's chromium: open the docs
 * explorer and find Query's fields, type a query and read its data, in every
 * mode where introspection is allowed. The page must call no host but the gateway.
 */
const world = generateWorld({ users: 5, products: 6, reviews: 12 });
/** Four subgraphs in one query: products, inventory, reviews and accounts. */
const QUERY = '{ topProducts(first: 2) { name inStock reviews(first: 1) { author { username } } } }';
const REFUSED = 'Introspection needs a signed-in caller with the "introspection" scope.';

let stack: TestStack;
let browser: HeadlessBrowser;
/** `junction gateway` with NODE_ENV=production and INTROSPECTION=true. */
let openGateway: GatewayProcess;
/** `junction gateway` with NODE_ENV=production's default: only callers with INTROSPECTION_SCOPE may introspect. */
let scopedGateway: GatewayProcess;

beforeAll(async () => {
  // The subgraphs trust what the gateway processes sign; the in-process gateway runs as `npm start` does.
  stack = await startTestStack(world, { NODE_ENV: 'development', GATEWAY_SECRET: PRODUCTION_SECRET });
  // GRAPHIQL=true: production serves the page only when asked to.
  const production = { JWKS_FILE: stack.idp.jwksFile, RATE_LIMIT: 'false', GRAPHIQL: 'true' };
  // Side by side, each kept as it starts, so that afterAll stops whatever did.
  await Promise.all([
    startGatewayProcess(stack.supergraphSdl, { ...production, INTROSPECTION: 'true' }).then((started) => (openGateway = started)),
    startGatewayProcess(stack.supergraphSdl, production).then((started) => (scopedGateway = started)),
    launchBrowser().then((launched) => (browser = launched)),
  ]);
});

afterAll(async () => {
  await browser?.close();
  for (const gateway of [openGateway, scopedGateway]) if (gateway) expect(await gateway.stop()).toBe(0);
  await stack?.close();
});

/** The page and its panes, found by the names GraphiQL gives them for screen readers. */
type Ide = { page: Page; queryEditor: Locator; docs: Locator; result: Locator };
const opened: { page: Page; requested: string[]; gatewayUrl: string }[] = [];

/** GraphiQL on the gateway at `gatewayUrl`, loaded: its editor is on screen. */
async function openIde(gatewayUrl: string): Promise<Ide> {
  const { page, requested } = await browser.open();
  opened.push({ page, requested, gatewayUrl });
  page.setDefaultTimeout(15_000);
  // A navigation's Accept header is what makes the gateway answer with the page.
  await page.goto(gatewayUrl);
  const queryEditor = page.getByRole('region', { name: 'Query Editor' }).locator('.CodeMirror');
  await queryEditor.waitFor();
  return {
    page,
    queryEditor,
    docs: page.getByRole('region', { name: 'Documentation Explorer' }),
    result: page.getByRole('region', { name: 'Result Window' }),
  };
}

// Whatever a test did, its page asked the gateway and nobody else (fonts and images are data: URLs).
afterEach(async () => {
  for (const { page, requested, gatewayUrl } of opened.splice(0)) {
    await page.context().close();
    const origin = new URL(gatewayUrl).origin;
    expect(requested).toContain(`${origin}${IDE_ASSET_PREFIX}graphiql.min.js`);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
  }
});

/**
 * Replaces the text of one of GraphiQL's editors as a person does: click, select
 * all, then type (its brackets close themselves) or paste.
 */
async function enter(page: Page, editor: Locator, text: string, how: 'type' | 'paste'): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  if (how === 'type') await page.keyboard.type(text);
  else await page.keyboard.insertText(text);
}

/**
 * Opens the docs explorer (its button toggles it) and waits until it has done
 * loading: the schema's root types, or what it shows instead ("Error fetching
 * schema", "Schema is invalid: …", "No GraphQL schema available").
 */
async function openDocs(ide: Ide): Promise<void> {
  if (!(await ide.docs.isVisible())) await ide.page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  await ide.docs
    .getByText('Root Types')
    .or(ide.docs.locator('.graphiql-doc-explorer-error'))
    .or(ide.docs.getByText('No GraphQL schema available'))
    .waitFor();
}

/**
 * What a person does when the docs say "Error fetching schema" for want of a
 * token: pastes an Authorization header into the Headers tab, re-fetches the
 * schema, and waits for the docs explorer to show it.
 *
 * GraphiQL 3 re-fetches with the headers as of its last render, and an edit
 * renders only 100 ms later (a debounce): a re-fetch clicked sooner than a
 * person could goes out without the header. When the result pane then shows a
 * new refusal (another request id), that re-fetch has rendered the header in,
 * and a second one carries it.
 */
async function signInThroughHeaders(ide: Ide, authorization: string): Promise<void> {
  await openDocs(ide);
  await ide.docs.getByText('Error fetching schema').waitFor();
  const requestIdLine = ide.result.locator('.CodeMirror-line', { hasText: '"requestId"' });
  const firstRequestId = /"requestId": "([^"]+)"/.exec((await requestIdLine.innerText()).replace(/\u00a0/g, ' '))?.[1];
  expect(firstRequestId).toBeDefined();
  await ide.page.getByText('Headers', { exact: true }).click();
  const headersEditor = ide.page.getByRole('region', { name: 'Headers' }).locator('.CodeMirror').filter({ visible: true });
  await enter(ide.page, headersEditor, JSON.stringify({ authorization }), 'paste');

  const refetch = ide.page.getByRole('button', { name: 'Re-fetch GraphQL schema' });
  const schemaShown = ide.docs.getByText('Root Types');
  await refetch.click();
  await schemaShown.or(requestIdLine.filter({ hasNotText: firstRequestId! })).waitFor();
  if (await schemaShown.isVisible()) return;
  await refetch.click();
  await schemaShown.waitFor();
}

/** The docs explorer, opened on Query, lists Query's fields, with their descriptions. */
async function expectQueryFieldsListed(ide: Ide): Promise<void> {
  const queryType = apiSchemaOf(stack.supergraphSdl).getQueryType()!;
  await openDocs(ide);
  expect(await ide.docs.locator('.graphiql-doc-explorer-error').allTextContents()).toEqual([]);
  await ide.docs.getByRole('link', { name: 'Query', exact: true }).click();
  await ide.docs.locator('.graphiql-doc-explorer-title').getByText('Query', { exact: true }).waitFor();
  const fieldNames = ide.docs.locator('.graphiql-doc-explorer-field-name');
  await fieldNames.first().waitFor();
  expect(await fieldNames.allTextContents()).toEqual(Object.keys(queryType.getFields()));
  await ide.docs.getByText(queryType.getFields().topProducts!.description!.split('\n')[0]!).waitFor();
}

/** Types QUERY, runs it with the Execute button, and reads the result pane. */
async function runQuery(ide: Ide): Promise<unknown> {
  await enter(ide.page, ide.queryEditor, QUERY, 'type');
  await ide.page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
  await ide.result.locator('.CodeMirror-line', { hasText: '"topProducts"' }).waitFor();
  // Rendered indentation may be no-break spaces, which JSON does not take for whitespace.
  const shown = (await ide.result.innerText()).replace(/\u00a0/g, ' ');
  try {
    return JSON.parse(shown);
  } catch {
    throw new Error(`the result pane shows no JSON:\n${JSON.stringify(shown)}`);
  }
}

async function expectQueryData(answer: unknown): Promise<void> {
  const expected = await stack.query<{ topProducts: { name: string }[] }>(QUERY);
  expect(expected.errors).toBeUndefined();
  expect(expected.data!.topProducts.map(({ name }) => world.products.some((product) => product.name === name))).toEqual([true, true]);
  expect(answer).toEqual({ data: expected.data });
}

const modes = [
  { mode: 'development, by default', url: () => stack.gatewayUrl, signIn: false },
  { mode: 'junction gateway, NODE_ENV=production, INTROSPECTION=true', url: () => openGateway.url, signIn: false },
  { mode: 'junction gateway, NODE_ENV=production, signed in with the introspection scope', url: () => scopedGateway.url, signIn: true },
];

for (const { mode, url, signIn } of modes) {
  describe(`GraphiQL on /graphql in chromium: ${mode}`, { timeout: 60_000 }, () => {
    async function open(): Promise<Ide> {
      const ide = await openIde(url());
      if (signIn) await signInThroughHeaders(ide, `Bearer ${await stack.idp.token('1', { scopes: ['introspection'] })}`);
      return ide;
    }

    it("opens the docs explorer on Query's fields", async () => {
      await expectQueryFieldsListed(await open());
    });

    it('shows the data of a query typed in the editor', async () => {
      await expectQueryData(await runQuery(await open()));
    });
  });
}

describe('GraphiQL where introspection is refused', { timeout: 60_000 }, () => {
  it('shows "Error fetching schema" and the refusal instead of a schema to an anonymous caller in production', async () => {
    const ide = await openIde(scopedGateway.url);
    await openDocs(ide);

    await ide.docs.getByText('Error fetching schema').waitFor();
    expect(await ide.docs.getByText('Root Types').count()).toBe(0);
    await ide.result.getByText(JSON.stringify(REFUSED)).waitFor();
  });
});
