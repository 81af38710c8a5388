import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { startCommerce, type Commerce } from '../subscriptions/commerce-processes.js';

/**
 * A subscription run in GraphiQL on /graphql, in Debian's chromium, against a
 * `junction gateway` process: the page opens a graphql-ws connection to its
 * own origin (which its Content-Security-Policy lets it do), and each review
 * written through the gateway shows in the result pane as it comes.
 */
const world = generateWorld({ users: 3, products: 3, reviews: 3 });
const SUBSCRIPTION = 'subscription { reviewAdded { body } }';

/** What the page's own code sees (the tests are compiled without the DOM's types). */
type PageGlobals = { localStorage: { getItem(key: string): string | null } };

let commerce: Commerce;
let gateway: GatewayProcess;
let browser: HeadlessBrowser;

beforeAll(async () => {
  commerce = await startCommerce(world);
  [gateway, browser] = await Promise.all([commerce.gateway({ env: { GRAPHIQL: 'true', INTROSPECTION: 'true' } }), launchBrowser()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await commerce?.close();
});

describe('GraphiQL on /graphql in chromium', () => {
  it('runs a subscription over graphql-ws and shows each event in the result pane', { timeout: 90_000 }, async () => {
    const { page, requested } = await browser.open();
    page.setDefaultTimeout(15_000);
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|WebSocket/i.test(message.text())) refused.push(message.text());
    });
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));

    await page.goto(gateway.url);
    const queryEditor = page.getByRole('region', { name: 'Query Editor' }).locator('.CodeMirror');
    await queryEditor.waitFor();
    await queryEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    // Pasted, so that no autocompletion hint is open to take the click. GraphiQL takes an edit in 100 ms
    // later (a debounce, which also stores it): a click sooner would run the text before it.
    await page.keyboard.insertText(SUBSCRIPTION);
    await page.waitForFunction((text) => (globalThis as unknown as PageGlobals).localStorage.getItem('graphiql:query') === text, SUBSCRIPTION);
    const connected = page.waitForEvent('websocket');
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    await connected;

    // The subscription opens at the subgraph in its own time: write until one review shows.
    const result = page.getByRole('region', { name: 'Result Window' });
    let shown = false;
    for (let attempt = 0; attempt < 25 && !shown; attempt++) {
      await commerce.review(gateway.url, 0, `Warming up ${attempt}.`);
      shown = await result
        .locator('.CodeMirror-line', { hasText: 'Warming up' })
        .waitFor({ timeout: 1_000 })
        .then(() => true, () => false);
    }
    expect({ shown, refused, pane: shown ? '' : await result.innerText() }).toEqual({ shown: true, refused: [], pane: '' });

    await commerce.review(gateway.url, 1, 'Seen in GraphiQL.');
    await result.locator('.CodeMirror-line', { hasText: 'Seen in GraphiQL.' }).waitFor();
    const pane = (await result.innerText()).replace(/\u00a0/g, ' ');
    expect(JSON.parse(pane)).toEqual({ data: { reviewAdded: { body: 'Seen in GraphiQL.' } } });

    // One graphql-ws connection, to the page's own origin; no other host asked for anything.
    const origin = new URL(gateway.url);
    expect(sockets).toEqual([`ws://${origin.host}${origin.pathname}`]);
    expect(requested.filter((url) => !url.startsWith(`${origin.origin}/`) && !url.startsWith('data:'))).toEqual([]);
    await page.context().close();
  });
});
