import { errorCodes } from './docs-error-codes.js';
import { escapeHtml, inline } from './docs-html.js';
import { curlCommand, renderOperationExamples, type Credentials } from './docs-operation-examples.js';
import type { DocumentedOperation } from './docs-operations.js';
import type { DocsSettings } from './docs-settings.js';
import type { DocsScope } from './docs-types.js';

/**
 * A site's Getting started page: where the API is, how to say who you are,
 * the limits it keeps, what its error codes mean and what to do about each,
 * then the registered operations as examples. One per contract (for the
 * clients it is served to) and one for the full API (everyone else).
 */
export type GettingStartedInput = {
  /** The contract the page is for; undefined for the full API. */
  contract: { name: string; description: string } | undefined;
  settings: DocsSettings;
  /** The clients this site's API is served to (CONTRACT_CLIENTS); for the full API, those with registered operations. */
  clients: readonly string[];
  operations: readonly DocumentedOperation[];
  scope: DocsScope;
};

/** The page's parts, by id: the search index lists them. */
export const GETTING_STARTED_SECTIONS = [
  { id: 'section-endpoint', heading: 'Endpoint' },
  { id: 'section-authentication', heading: 'Authentication' },
  { id: 'section-limits', heading: 'Rate limits and cost budgets' },
  { id: 'section-errors', heading: 'Errors' },
  { id: 'section-operations', heading: 'Registered operations' },
] as const;

type SectionId = (typeof GETTING_STARTED_SECTIONS)[number]['id'];

const section = (id: SectionId, body: string) => {
  const heading = GETTING_STARTED_SECTIONS.find((each) => each.id === id)?.heading ?? '';
  return `<section class="part" id="${id}">\n<h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
};

const number = (value: number) => value.toLocaleString('en-US');
const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const list = (items: readonly string[]) => items.map(code).join(', ');
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** Which credentials the page's examples send: a key where keys are taken, else a token where tokens are. */
export function credentialsOf(settings: DocsSettings): Credentials {
  if (settings.apiKeys) return 'x-api-key';
  return settings.bearer ? 'bearer' : 'none';
}

function endpoint(input: GettingStartedInput, credentials: Credentials): string {
  const { settings } = input;
  const first = curlCommand(settings.endpoint, { query: '{ __typename }' }, credentials);
  return (
    `<p>Every request goes to one URL: <code class="endpoint">${escapeHtml(settings.endpoint)}</code>. ` +
    'POST a JSON body with the operation’s text in <code>query</code>, its <code>variables</code> and <code>operationName</code>, ' +
    'and <code>content-type: application/json</code>. The answer is JSON: <code>data</code>, and <code>errors</code> when something went wrong.</p>\n' +
    `<pre><code>${escapeHtml(first)}</code></pre>\n` +
    '<p>answers <code>{"data":{"__typename":"Query"}}</code>. Queries may also be sent with GET (<code>?query=…&amp;variables=…</code>) ' +
    'with an <code>apollo-require-preflight: true</code> header. Every answer carries an <code>x-request-id</code> header and every error ' +
    'its <code>extensions.requestId</code>: quote it when you ask us about a request.</p>'
  );
}

function authentication(input: GettingStartedInput): string {
  const { settings, contract, clients } = input;
  const parts: string[] = [];
  if (settings.apiKeys) {
    const served = contract === undefined ? [] : [...settings.contractClients].filter(([, name]) => name === contract.name).map(([client]) => client);
    const which =
      contract === undefined
        ? 'for a client served the full API (one no contract is mapped to)'
        : served.length > 0
          ? `for a client served the ${code(contract.name)} contract: ${list(served)}`
          : `for a client served the ${code(contract.name)} contract (none is yet: the operators map one with ${code(`CONTRACT_CLIENTS=<client>=${contract.name}`)})`;
    parts.push(
      `<p>Send your API key in the <code>x-api-key</code> header of every request:</p>\n<pre><code>x-api-key: &lt;your key&gt;</code></pre>\n` +
        `<p>Keys are made by the API’s operators, ${which}, with ${code('junction api-key create --name <you> --client <client>')}. ` +
        'A key is shown once and only its hash is kept: keep it secret, and ask for a new one (the old one revoked) if it leaks. ' +
        'A key may carry scopes, for the fields whose descriptions ask for one, and limits of its own.</p>',
    );
  } else {
    parts.push('<p>This API takes no API keys.</p>');
  }
  if (settings.bearer) {
    const { audience, issuer } = settings.bearer;
    parts.push(
      `<p>${settings.apiKeys ? 'Or' : 'Instead,'} send a token from the identity provider the API trusts: <code>authorization: Bearer &lt;token&gt;</code>, ` +
        `a JWT for the audience ${code(audience)}${issuer === undefined ? '' : ` issued by ${code(issuer)}`}, with an expiry, whose ` +
        '<code>client_id</code> or <code>azp</code> names your client and whose <code>scope</code> lists your scopes.</p>',
    );
  } else {
    parts.push(
      '<p>Bearer tokens (<code>authorization: Bearer &lt;JWT&gt;</code>) are taken where the operators have configured an identity provider; ' +
        `none was when these pages were written${settings.apiKeys ? ', so use an API key' : ''}.</p>`,
    );
  }
  parts.push(
    '<p>A key or token that is not valid is refused with 401 <code>UNAUTHENTICATED</code>, never taken as no credentials. ' +
      (contract === undefined
        ? 'Without credentials you call anonymously: fields that need a signed-in caller are <code>null</code> with an <code>UNAUTHENTICATED</code> error.'
        : `Callers whose client is not served the ${code(contract.name)} contract (or who send no credentials) get the full API instead.`) +
      '</p>',
  );
  if (clients.length > 0 && contract === undefined) parts.push(`<p class="note">Clients with registered operations here: ${list(clients)}.</p>`);
  return parts.join('\n');
}

function limits(input: GettingStartedInput): string {
  const { settings, contract } = input;
  const rows: [string, string, string][] = [];
  if (settings.rateLimit) {
    const { apiKey, anonymous } = settings.rateLimit;
    const bucket = (burst: number, perSecond: number) => `${number(burst)} at once, then ${number(perSecond)} per second`;
    if (settings.apiKeys) rows.push(['Requests per API key', bucket(apiKey.burst, apiKey.perSecond), '429 `RATE_LIMITED`, with `Retry-After`']);
    rows.push(['Requests per address, without a key', bucket(anonymous.burst, anonymous.perSecond), '429 `RATE_LIMITED`, with `Retry-After`']);
  } else {
    rows.push(['Requests', 'no rate limit', '']);
  }
  const contractMax = contract === undefined ? undefined : settings.cost.contractMaxCost.get(contract.name);
  rows.push([
    contract === undefined ? 'An operation’s estimated cost' : `An operation’s estimated cost, for the ${contract.name} contract`,
    number(contractMax ?? settings.cost.maxCost),
    '400 `COST_ESTIMATED_TOO_EXPENSIVE`',
  ]);
  if (contract === undefined && settings.cost.anonymousMaxCost !== settings.cost.maxCost) {
    rows.push(['The same, without credentials', number(settings.cost.anonymousMaxCost), '400 `COST_ESTIMATED_TOO_EXPENSIVE`']);
  }
  const { limits: request } = settings;
  rows.push(
    ['An answer’s size', request.maxResponseBytes === 0 ? 'no limit' : megabytes(request.maxResponseBytes), '200 `RESPONSE_TOO_LARGE`, no data'],
    ['A request’s body', megabytes(request.maxBodyBytes), '413 `PAYLOAD_TOO_LARGE`'],
    ['Depth of a selection (fragments expanded)', number(request.maxDepth), '400 `GRAPHQL_VALIDATION_FAILED`'],
    ['Aliases', number(request.maxAliases), '400 `GRAPHQL_VALIDATION_FAILED`'],
    ['Root fields', number(request.maxRootFields), '400 `GRAPHQL_VALIDATION_FAILED`'],
    ['Tokens in a document', number(request.maxTokens), '400 `GRAPHQL_PARSE_FAILED`'],
  );
  const table =
    '<table>\n<thead><tr><th scope="col">What</th><th scope="col">Limit</th><th scope="col">Over it</th></tr></thead>\n<tbody>\n' +
    rows.map(([what, limit, over]) => `<tr><td>${escapeHtml(what)}</td><td>${escapeHtml(limit)}</td><td>${inline(over)}</td></tr>`).join('\n') +
    '\n</tbody>\n</table>';
  return (
    '<p>Rate limits are token buckets: a burst, refilled at a steady rate. An operation’s cost is estimated before it runs, about one per object ' +
    'its answer may hold (a list counts its <code>first</code>); send <code>x-junction-cost: estimated</code> to get it back in ' +
    '<code>extensions.cost</code>.</p>\n' +
    table +
    '\n<p class="note">These are the API’s limits as configured when these pages were written. Your key may have limits of its own ' +
    '(a rate limit or a maximum cost set when it was made), which replace these.</p>'
  );
}

function errors(settings: DocsSettings): string {
  const rows = Object.entries(errorCodes(settings)).map(
    ([name, entry]) =>
      `<tr id="error-${escapeHtml(name)}"><td><code>${escapeHtml(name)}</code></td><td>${inline(entry.status)}</td>` +
      `<td>${inline(entry.meaning)}</td><td>${inline(entry.action)}</td></tr>`,
  );
  const example = JSON.stringify(
    { errors: [{ message: 'Too many requests; retry in 1 s.', extensions: { code: 'RATE_LIMITED', requestId: '6f1c0b6e-…' } }] },
    null,
    2,
  );
  return (
    '<p>Each error has a code in <code>extensions.code</code>, and the request id. A refused request has no <code>data</code> and an HTTP ' +
    'status saying why; an operation that ran answers 200, and an error beside the data names, in <code>path</code>, the field that is ' +
    '<code>null</code> because of it: the rest of the data is good.</p>\n' +
    `<pre><code>${escapeHtml(example)}</code></pre>\n` +
    '<table class="errors">\n<thead><tr><th scope="col">Code</th><th scope="col">HTTP status</th><th scope="col">What it means</th>' +
    '<th scope="col">What to do</th></tr></thead>\n<tbody>\n' +
    rows.join('\n') +
    '\n</tbody>\n</table>'
  );
}

export function renderGettingStarted(input: GettingStartedInput): string {
  const { contract, settings } = input;
  const credentials = credentialsOf(settings);
  const lead =
    contract === undefined
      ? '<p>How to call the API: where, with which credentials, within which limits, and what its errors mean; then the registered operations, to try.</p>'
      : `<p>How to call the API as a client of the ${code(contract.name)} contract: ` +
        'where, with which credentials, within which limits, and what its errors mean; then its registered operations, to try. ' +
        'You are served only what the contract includes, which is what this site documents.</p>';
  return [
    '<h1>Getting started</h1>',
    lead,
    section('section-endpoint', endpoint(input, credentials)),
    section('section-authentication', authentication(input)),
    section('section-limits', limits(input)),
    section('section-errors', errors(settings)),
    section('section-operations', renderOperationExamples(input.operations, input.clients, settings, input.scope, credentials)),
  ].join('\n');
}
