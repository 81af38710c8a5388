import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { borrowed, startLibrary, type Library } from '../support/library.js';

/**
 * A frontend on its own origin calling the gateway from Debian's chromium, as
 * a page on Vite's http://localhost:5173 calls http://localhost:4000/graphql:
 * a JSON POST, which the browser preflights. A development gateway, as it
 * comes, lets the page read the answer; a production one with no CORS_ORIGINS
 * does not, and the browser never sends the mutation.
 */
const MUTATION = 'mutation { borrow(isbn: "9780141439662") { title author { name } } }';

/**
 * The frontend: on load it POSTs MUTATION to the gateway named in its query
 * string, then shows what it could read, or the error fetch threw.
 */
const PAGE = `<!doctype html>
<title>A frontend</title>
<pre id="result"></pre>
<script type="module">
  const gateway = new URLSearchParams(location.search).get('gateway');
  const shown = document.getElementById('result');
  try {
    const response = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ${JSON.stringify(MUTATION)} }),
    });
    shown.textContent = JSON.stringify({ status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() });
  } catch (error) {
    shown.textContent = JSON.stringify({ error: String(error) });
  }
</script>
`;

let library: Library;
let browser: HeadlessBrowser;
let frontend: Server;
/** http://localhost:<port>: another origin than either gateway's. */
let frontendOrigin: string;
/** `junction gateway` with NODE_ENV=development and nothing about CORS set. */
let development: GatewayProcess;
/** `junction gateway` with NODE_ENV=production and nothing about CORS set. */
let production: GatewayProcess;

beforeAll(async () => {
  library = await startLibrary();
  frontend = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => frontend.listen(0, '127.0.0.1', resolve));
  frontendOrigin = `http://localhost:${(frontend.address() as AddressInfo).port}`;
  // Side by side, each kept as it starts, so that afterAll stops whatever did.
  await Promise.all([
    startGatewayProcess(library.supergraphSdl, { NODE_ENV: 'development' }).then((started) => (development = started)),
    startGatewayProcess(library.supergraphSdl).then((started) => (production = started)),
    launchBrowser().then((launched) => (browser = launched)),
  ]);
});

afterAll(async () => {
  await browser?.close();
  for (const gateway of [development, production]) if (gateway) expect(await gateway.stop()).toBe(0);
  await new Promise((resolve) => frontend?.close(resolve));
  await library?.stop();
});

/** The gateway's URL as the page names it: on localhost, like the frontend, on the gateway's own port. */
const onLocalhost = (gateway: GatewayProcess) => `http://localhost:${new URL(gateway.url).port}/graphql`;

/** Opens the frontend against `gateway` and waits for what it shows; `console` collects the browser's error messages. */
async function openFrontend(gateway: GatewayProcess): Promise<{ page: Page; shown: Record<string, unknown>; console: string[] }> {
  const { page } = await browser.open();
  const console: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') console.push(message.text());
  });
  page.setDefaultTimeout(15_000);
  await page.goto(`${frontendOrigin}/?gateway=${encodeURIComponent(onLocalhost(gateway))}`);
  const result = page.locator('#result');
  await result.filter({ hasText: /./ }).waitFor();
  return { page, shown: JSON.parse(await result.innerText()) as Record<string, unknown>, console };
}

describe('a page on another origin calls the gateway from chromium', { timeout: 60_000 }, () => {
  it('gets the data from a development gateway as it comes, and reads the request id', async () => {
    const before = borrowed.length;
    const { page, shown } = await openFrontend(development);
    await page.context().close();
    expect(shown).toEqual({
      status: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      body: { data: { borrow: { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } } } },
    });
    expect(borrowed.slice(before)).toEqual(['9780141439662']);
  });

  it('reads a refusal too: the 401 for a bad token, with its code', async () => {
    const { page } = await openFrontend(development);
    const refused = await page.evaluate(async (url) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
        body: JSON.stringify({ query: '{ books { isbn } }' }),
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      return { status: response.status, code: body.errors[0]!.extensions.code };
    }, onLocalhost(development));
    await page.context().close();
    expect(refused).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('fails with a CORS error against a production gateway with no CORS_ORIGINS, and the mutation is never sent', async () => {
    const before = borrowed.length;
    const { page, shown, console } = await openFrontend(production);
    await page.context().close();
    expect(shown).toEqual({ error: 'TypeError: Failed to fetch' });
    // The preflight was refused, so the POST never left the browser.
    expect(borrowed.length).toBe(before);
    expect(console.some((text) => text.includes(`from origin '${frontendOrigin}' has been blocked by CORS policy`))).toBe(true);
  });
});
