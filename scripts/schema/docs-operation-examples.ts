import { escapeHtml, inline } from './docs-html.js';
import { highlightGraphQL } from './docs-highlight.js';
import type { DocumentedOperation } from './docs-operations.js';
import { modeOf, type DocsSettings } from './docs-settings.js';
import type { DocsScope } from './docs-types.js';

/**
 * The registered operations on a Getting started page: each one's text,
 * highlighted, its example variables, and a curl command that runs it with
 * the page's credentials, by id where the client's mode needs ids.
 */
export type Credentials = 'x-api-key' | 'bearer' | 'none';

/** A word the shell passes on as it is: single-quoted, its own single quotes closed and escaped. */
export const shellQuoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

const CREDENTIAL_HEADERS: Record<Credentials, string> = {
  'x-api-key': ` \\\n  -H "x-api-key: $API_KEY"`,
  bearer: ` \\\n  -H "authorization: Bearer $TOKEN"`,
  none: '',
};

/** A curl command for `body` (a GraphQL request as JSON) at the endpoint. */
export function curlCommand(endpoint: string, body: Record<string, unknown>, credentials: Credentials): string {
  return (
    `curl -s ${shellQuoted(endpoint)} \\\n  -H 'content-type: application/json'${CREDENTIAL_HEADERS[credentials]} \\\n` +
    `  --data ${shellQuoted(JSON.stringify(body, null, 2))}`
  );
}

/** The request that runs a registered operation: its text, or its id where only ids run. */
export function requestBody(operation: DocumentedOperation, byId: boolean): Record<string, unknown> {
  const variables = Object.keys(operation.variables).length > 0 ? { variables: operation.variables } : {};
  return byId
    ? { operationName: operation.name, ...variables, extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } } }
    : { operationName: operation.name, query: operation.body, ...variables };
}

export const operationId = (operation: Pick<DocumentedOperation, 'client' | 'name'>) => `operation-${operation.client}.${operation.name}`;

const MODE_SENTENCES = {
  off: 'may send these or any other operation the schema allows.',
  allowlist: 'may send only these operations, by text or by id.',
  enforce: 'may send only these operations, by id: `extensions.persistedQuery.sha256Hash`, without the text.',
} as const;

function renderOperation(operation: DocumentedOperation, settings: DocsSettings, scope: DocsScope, credentials: Credentials): string {
  const uses = operation.rootFields
    .filter((coordinate) => scope.shows(coordinate))
    .map((coordinate) => `<a href="${escapeHtml(scope.href(coordinate))}"><code>${escapeHtml(coordinate)}</code></a>`);
  const meta = [
    escapeHtml(operation.type),
    `client <code>${escapeHtml(operation.client)}</code>`,
    `id <code>${escapeHtml(operation.id)}</code>`,
    ...(uses.length > 0 ? [`uses ${uses.join(', ')}`] : []),
  ].join(' · ');
  const hasVariables = Object.keys(operation.variables).length > 0;
  const source = operation.example === 'stored' ? 'Example variables.' : 'Placeholders from the variables’ types: put in your own values.';
  const variables = hasVariables
    ? `<h4>Variables</h4>\n<p class="note">${source}</p>\n<pre><code>${escapeHtml(JSON.stringify(operation.variables, null, 2))}</code></pre>\n`
    : '';
  const byId = modeOf(settings, operation.client) === 'enforce';
  const request = curlCommand(settings.endpoint, requestBody(operation, byId), credentials);
  return (
    `<section class="operation" id="${escapeHtml(operationId(operation))}">\n` +
    `<h3>${escapeHtml(operation.name)}</h3>\n<p class="meta">${meta}</p>\n` +
    `<h4>Operation</h4>\n<pre><code class="graphql">${highlightGraphQL(operation.body)}</code></pre>\n` +
    variables +
    `<h4>Request</h4>\n<pre><code>${escapeHtml(request)}</code></pre>\n</section>`
  );
}

/** The operations section's body: whose operations they are and what each client may send, then each operation. */
export function renderOperationExamples(
  operations: readonly DocumentedOperation[],
  clients: readonly string[],
  settings: DocsSettings,
  scope: DocsScope,
  credentials: Credentials,
): string {
  if (operations.length === 0) {
    return '<p>No operation is registered for this API’s clients yet: write your own from the reference, or ask for one to be registered.</p>';
  }
  const shown = [...new Set(operations.map((operation) => operation.client))];
  const modes = shown.map((client) => `<li>Client <code>${escapeHtml(client)}</code> ${inline(MODE_SENTENCES[modeOf(settings, client)])}</li>`);
  const others = clients.filter((client) => !shown.includes(client));
  const intro =
    '<p>The operations registered for this API’s clients (their trusted documents), as examples to copy: each is valid against the schema ' +
    'documented here. Your client’s key or token decides which ones run:</p>\n' +
    `<ul>${modes.join('')}</ul>` +
    (others.length > 0 ? `\n<p class="note">No operation is registered for ${others.map((client) => `<code>${escapeHtml(client)}</code>`).join(', ')}.</p>` : '');
  return [intro, ...operations.map((operation) => renderOperation(operation, settings, scope, credentials))].join('\n');
}
