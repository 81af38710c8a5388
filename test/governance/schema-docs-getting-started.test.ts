import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '#lib/errors.js';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { schemaVersionOf } from '../../scripts/schema/api-schema.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { errorCodes } from '../../scripts/schema/docs-error-codes.js';
import { readExampleVariables, type Registered } from '../../scripts/schema/docs-operations.js';
import type { DocsSettings } from '../../scripts/schema/docs-settings.js';
import { buildDocsSite, type DocsInput } from '../../scripts/schema/docs-site.js';
import { changelog, compose, partnerOperations, settingsFor, webOperations, writeCatalogue } from '../support/docs-catalogue.js';
import { decode, pagesOf, textOf } from '../support/docs-pages.js';
import { root } from '../support/schema-workspace.js';

/**
 * The Getting started pages of the catalogue's docs: one for the full API and
 * one for the partner contract, with what the environment configures (read
 * as the gateway reads it, defaults included), every error code, and the
 * clients' registered operations as examples, whose curl commands are run
 * by a real shell against a server that records what arrives.
 */
let dir: string;
let input: DocsInput;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-docs-start-'));
  await writeCatalogue(dir);
  const documents = join(dir, 'trusted-documents');
  const registered: Registered = { documents: await loadTrustedDocuments(documents), examples: await readExampleVariables(documents) };
  input = { version: schemaVersionOf(compose('')), source: 'current', contracts: await readContractSchemas(dir), changelog, settings: settingsFor(), registered };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The Getting started pages of a site built with these settings: the full API's (`''`) and the partner contract's. */
function gettingStarted(settings: DocsSettings = input.settings): { full: string; partner: string; warnings: string[] } {
  const site = buildDocsSite({ ...input, settings });
  const pages = pagesOf(site.files);
  return { full: pages.get('getting-started.html') ?? '', partner: pages.get('partner/getting-started.html') ?? '', warnings: site.warnings };
}

/** One part of a Getting started page, as HTML. */
function part(html: string, id: string): string {
  const start = html.indexOf(` id="${id}"`);
  if (start === -1) throw new Error(`no ${id}`);
  const end = html.indexOf('<section class="part"', start);
  return html.slice(start, end === -1 ? html.indexOf('</main>') : end);
}

/** The operation's section on the page. */
function operation(html: string, client: string, name: string): string {
  const start = html.indexOf(` id="operation-${client}.${name}"`);
  if (start === -1) throw new Error(`no operation ${client}.${name}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The text of the first code block in the HTML, as a reader copies it. */
const firstBlock = (html: string) => decode(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/.exec(html)?.[1]?.replace(/<[^>]*>/g, '') ?? '');
/** The text of the code block under a heading of an operation's section. */
const blockAfter = (html: string, heading: string) => firstBlock(html.slice(html.indexOf(`<h4>${heading}</h4>`)));

describe('the endpoint', () => {
  it('is http://localhost:4000/graphql unless given, in the text and in every command', () => {
    const { partner } = gettingStarted();
    expect(part(partner, 'section-endpoint')).toContain('<code class="endpoint">http://localhost:4000/graphql</code>');
    const elsewhere = gettingStarted(settingsFor({}, 'https://api.example.com/graphql'));
    for (const page of [elsewhere.full, elsewhere.partner]) {
      expect(page).toContain('<code class="endpoint">https://api.example.com/graphql</code>');
      expect(page).not.toContain('localhost:4000');
      expect(decode(page)).toContain("curl -s 'https://api.example.com/graphql'");
    }
  });
});

describe('authentication', () => {
  it('sends the key in x-api-key, made by junction api-key create for a client CONTRACT_CLIENTS serves the contract', () => {
    const unmapped = textOf(part(gettingStarted().partner, 'section-authentication'));
    expect(unmapped).toContain('Send your API key in the x-api-key header of every request: x-api-key: <your key>');
    expect(unmapped).toContain('junction api-key create --name <you> --client <client>');
    expect(unmapped).toContain('none is yet: the operators map one with CONTRACT_CLIENTS=<client>=partner');
    const mapped = textOf(part(gettingStarted(settingsFor({ CONTRACT_CLIENTS: 'acme=partner,globex=partner,initech=other' })).partner, 'section-authentication'));
    expect(mapped).toContain('for a client served the partner contract: acme, globex, with junction api-key create');
    expect(textOf(part(gettingStarted().full, 'section-authentication'))).toContain('Without credentials you call anonymously');
  });

  it('takes bearer tokens only where an identity provider is configured', () => {
    expect(textOf(part(gettingStarted().partner, 'section-authentication'))).toContain(
      'Bearer tokens (authorization: Bearer <JWT>) are taken where the operators have configured an identity provider; none was when these pages were written, so use an API key.',
    );
    const withProvider = gettingStarted(settingsFor({ JWKS_URL: 'https://login.example.com/jwks.json', JWT_ISSUER: 'https://login.example.com/' }));
    expect(textOf(part(withProvider.partner, 'section-authentication'))).toContain(
      'Or send a token from the identity provider the API trusts: authorization: Bearer <token>, a JWT for the audience junction issued by https://login.example.com/',
    );
  });

  it('without API keys says so, and its commands send a bearer token instead', () => {
    const { partner } = gettingStarted(settingsFor({ API_KEYS: 'false', JWKS_FILE: '/etc/junction/jwks.json' }));
    expect(textOf(part(partner, 'section-authentication'))).toContain('This API takes no API keys. Instead, send a token');
    expect(decode(partner)).not.toContain('x-api-key: $API_KEY');
    expect(decode(partner)).toContain('-H "authorization: Bearer $TOKEN"');
  });
});

describe('rate limits and cost budgets', () => {
  const rows = (html: string) => [...part(html, 'section-limits').matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((match) => `${decode(match[1] ?? '')}: ${match[2]}`);

  it("are the gateway's defaults when nothing is configured, and say a key's own limits replace them", () => {
    const { full, partner } = gettingStarted();
    expect(rows(partner)).toEqual([
      'Requests per API key: 200 at once, then 100 per second',
      'Requests per address, without a key: 100 at once, then 50 per second',
      'An operation’s estimated cost, for the partner contract: 50,000',
      'An answer’s size: 10 MB',
      'A request’s body: 2 MB',
      'Depth of a selection (fragments expanded): 15',
      'Aliases: 30',
      'Root fields: 20',
      'Tokens in a document: 15,000',
    ]);
    expect(rows(full)[2]).toBe('An operation’s estimated cost: 50,000');
    expect(textOf(part(partner, 'section-limits'))).toContain('Your key may have limits of its own (a rate limit or a maximum cost set when it was made), which replace these.');
  });

  it('are read from the environment, with the contract its own maximum cost', () => {
    const { full, partner } = gettingStarted(
      settingsFor({ RATE_LIMIT_KEY_BURST: '7', RATE_LIMIT_KEY_PER_SECOND: '3', RATE_LIMIT_BURST: '5', RATE_LIMIT_PER_SECOND: '2', MAX_COST: '900', MAX_COST_ANONYMOUS: '10', CONTRACT_MAX_COST: 'partner=40', MAX_RESPONSE_BYTES: String(3 * 1024 * 1024), MAX_DEPTH: '6' }),
    );
    expect(rows(partner).slice(0, 4)).toEqual([
      'Requests per API key: 7 at once, then 3 per second',
      'Requests per address, without a key: 5 at once, then 2 per second',
      'An operation’s estimated cost, for the partner contract: 40',
      'An answer’s size: 3 MB',
    ]);
    expect(rows(partner)).toContain('Depth of a selection (fragments expanded): 6');
    expect(rows(full).slice(2, 4)).toEqual(['An operation’s estimated cost: 900', 'The same, without credentials: 10']);
  });

  it('say when there is no rate limit', () => {
    expect(textOf(part(gettingStarted(settingsFor({ RATE_LIMIT: 'false' })).partner, 'section-limits'))).toContain('Requests no rate limit');
  });
});

describe('errors', () => {
  it('lists every code with its status, what it means and what to do, in limits the environment sets', () => {
    const page = gettingStarted(settingsFor({ MAX_BODY_BYTES: String(1024 * 1024) })).partner;
    const documented = errorCodes(settingsFor());
    for (const code of new Set([...Object.values(ErrorCode), ...Object.keys(documented)])) {
      const row = /<tr id="error-([A-Z_]+)">([\s\S]*?)<\/tr>/.exec(page.slice(page.indexOf(`<tr id="error-${code}">`)));
      expect(row?.[1], code).toBe(code);
      const cells = [...(row?.[2] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((match) => textOf(match[1] ?? ''));
      expect(cells.length, code).toBe(4);
      expect(cells.every((cell) => cell.length > 0), code).toBe(true);
    }
    expect(textOf(page.slice(page.indexOf('<tr id="error-PAYLOAD_TOO_LARGE">')))).toMatch(/^PAYLOAD_TOO_LARGE 413 The request body is larger than 1 MB\./);
    expect(textOf(page.slice(page.indexOf('<tr id="error-RATE_LIMITED">')))).toContain('Wait the seconds the Retry-After header gives');
  });
});

describe('registered operations', () => {
  it("shows the contract's client's operations that are valid against it, and leaves the others out with a warning", () => {
    const { full, partner, warnings } = gettingStarted();
    const shown = (html: string) => [...html.matchAll(/ id="operation-([^"]+)"/g)].map((match) => match[1]);
    expect(shown(partner)).toEqual(['partner.ProductByUpc', 'partner.AddProduct', 'partner.Sneaky']);
    expect(shown(full)).toEqual(['web.Sorted']);
    expect(warnings).toEqual(['The partner contract leaves out partner\'s Costs: Cannot query field "cost" on type "Product".']);
  });

  it('shows the text highlighted, the stored example, or placeholders from the types of the contract', () => {
    const { full, partner } = gettingStarted();
    const product = operation(partner, 'partner', 'ProductByUpc');
    expect(product).toContain('<span class="tok-keyword">query</span> ProductByUpc<span class="tok-punct">(</span><span class="tok-variable">$upc</span>');
    expect(product).toContain('<span class="tok-type">String</span>');
    expect(blockAfter(product, 'Operation')).toBe(partnerOperations[0].body);
    expect(JSON.parse(blockAfter(product, 'Variables'))).toEqual({ upc: '0123456789012' });
    expect(textOf(product)).toContain('query · client partner · id p-product · uses Query.product Operation');
    expect(product).toContain('<a href="types/Query.html#Query.product"><code>Query.product</code></a>');
    // NewProduct.cost is outside the contract, so not in its placeholder.
    const add = operation(partner, 'partner', 'AddProduct');
    expect(JSON.parse(blockAfter(add, 'Variables'))).toEqual({ input: { upc: '<upc>', name: '<name>' } });
    expect(textOf(add)).toContain('Placeholders from the variables’ types: put in your own values.');
    // A variable's default, an enum, a required Int.
    expect(JSON.parse(blockAfter(operation(full, 'web', 'Sorted'), 'Variables'))).toEqual({ first: 1, sort: 'MARGIN' });
  });

  it('escapes the text: markup in its strings and comments stays text', () => {
    const sneaky = operation(gettingStarted().partner, 'partner', 'Sneaky');
    expect(sneaky).not.toContain('<script>');
    expect(sneaky).not.toContain('<img');
    expect(sneaky).toContain('<span class="tok-string">&quot;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;</span>');
    expect(sneaky).toContain('<span class="tok-comment"># &lt;img src=x onerror=alert(2)&gt;</span>');
    expect(blockAfter(sneaky, 'Operation')).toBe(partnerOperations[3].body);
  });

  it('says what each client may send, and sends ids where only ids run', () => {
    const modes = settingsFor({ TRUSTED_DOCUMENTS_MODE: 'allowlist', TRUSTED_DOCUMENTS_CLIENT_MODES: 'partner=enforce' });
    const { full, partner } = gettingStarted(modes);
    expect(textOf(part(partner, 'section-operations'))).toContain('Client partner may send only these operations, by id: extensions.persistedQuery.sha256Hash, without the text.');
    expect(textOf(part(full, 'section-operations'))).toContain('Client web may send only these operations, by text or by id.');
    const request = blockAfter(operation(partner, 'partner', 'ProductByUpc'), 'Request');
    expect(request).toContain('"sha256Hash": "p-product"');
    expect(request).not.toContain('"query"');
  });

  it('names the clients served the contract that have registered nothing', () => {
    const { partner } = gettingStarted(settingsFor({ CONTRACT_CLIENTS: 'acme=partner' }));
    expect(textOf(part(partner, 'section-operations'))).toContain('No operation is registered for acme.');
    // partner.json's client is mapped nowhere, so it is still the contract's by its name.
    expect(partner).toContain('id="operation-partner.ProductByUpc"');
  });

  it('refuses example variables that do not fit their operation, or name none', () => {
    const examples = new Map([['partner', new Map([['ProductByUpc', { upc: 12 }], ['Gone', {}]])]]);
    expect(() => buildDocsSite({ ...input, registered: { ...input.registered, examples } })).toThrow(
      /The example variables do not fit:\n {2}the example variables of partner's Gone name no operation partner registered\n {2}the example variables of partner's ProductByUpc do not fit it: Variable "\$upc" got invalid value 12; String cannot represent a non string value: 12/,
    );
  });
});

describe('the curl commands', () => {
  it('send, through a real shell, the operation, its variables and the credentials the page says', async () => {
    const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.end('{"data":{}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql?it's=quoted`;
      const { partner, full } = gettingStarted(settingsFor({}, endpoint));
      const commands = [
        firstBlock(part(partner, 'section-endpoint')),
        ...partnerOperations.filter(({ name }) => name !== 'Costs').map(({ name }) => blockAfter(operation(partner, 'partner', name), 'Request')),
        blockAfter(operation(full, 'web', 'Sorted'), 'Request'),
      ];
      for (const command of commands) {
        await new Promise<void>((resolve, reject) =>
          execFile('bash', ['-c', command], { env: { PATH: process.env.PATH, API_KEY: "k3y'with\"quotes" } }, (error) => (error ? reject(error) : resolve())),
        );
      }
      expect(received.map(({ headers }) => [headers['content-type'], headers['x-api-key']])).toEqual(commands.map(() => ['application/json', "k3y'with\"quotes"]));
      expect(received.map(({ body }) => body)).toEqual([
        { query: '{ __typename }' },
        { operationName: 'ProductByUpc', query: partnerOperations[0].body, variables: { upc: '0123456789012' } },
        { operationName: 'AddProduct', query: partnerOperations[1].body, variables: { input: { upc: '<upc>', name: '<name>' } } },
        { operationName: 'Sneaky', query: partnerOperations[3].body },
        { operationName: 'Sorted', query: webOperations[0].body, variables: { first: 1, sort: 'MARGIN' } },
      ]);
    } finally {
      server.close();
    }
  });
});

describe('npm run schema:docs', () => {
  type Run = { code: number; stdout: string; stderr: string };
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<Run>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'scripts/schema-docs.ts', ...args], { cwd: root, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('takes --endpoint and the environment, refuses an endpoint that is not http(s), and fails on example variables that do not fit', async () => {
    const out = await mkdtemp(join(tmpdir(), 'junction-docs-cli-'));
    try {
      const written = await run(['--out', out, '--endpoint', 'https://api.example.com/graphql'], { CONTRACT_MAX_COST: 'partner=1234', RATE_LIMIT_KEY_BURST: '321' });
      expect(written).toMatchObject({ code: 0, stderr: '' });
      const page = await readFile(join(out, 'partner', 'getting-started.html'), 'utf8');
      expect(page).toContain('<code class="endpoint">https://api.example.com/graphql</code>');
      expect(page).toContain('<td>An operation’s estimated cost, for the partner contract</td><td>1,234</td>');
      expect(page).toContain('<td>Requests per API key</td><td>321 at once, then 100 per second</td>');

      const usage = await run(['--out', out, '--endpoint', 'ftp://api.example.com/graphql']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/^--endpoint must be an http\(s\) URL, not "ftp:\/\/api\.example\.com\/graphql"\.\n\nUsage: npm run schema:docs/);

      const documents = join(out, 'documents');
      await cp(join(root, 'trusted-documents'), documents, { recursive: true });
      await writeFile(join(documents, 'examples', 'partner.json'), JSON.stringify({ StockLevel: { variables: {} } }));
      const failed = await run(['--out', out, '--documents', documents]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe(
        'The example variables do not fit:\n  the example variables of partner\'s StockLevel do not fit it: Variable "$upc" of required type "String!" was not provided.\n',
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
