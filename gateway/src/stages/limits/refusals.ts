import { GraphQLError, type ASTNode } from 'graphql';
import { boundedMessage } from '#lib/client-text.js';
import { ErrorCode } from '#lib/errors.js';

/** A document refused: the HTTP status to answer with and the errors to send. */
export type Refusal = { status: number; errors: GraphQLError[] };

export function parseFailure(error: unknown): Refusal {
  const code = ErrorCode.GRAPHQL_PARSE_FAILED;
  if (error instanceof GraphQLError) {
    // Keep the position: a syntax error is only useful with its line and column.
    const { source, positions } = error;
    const where = { ...(source ? { source } : {}), ...(positions ? { positions } : {}) };
    // graphql-js quotes the token it stopped at, and a name can be a megabyte long.
    return { status: 400, errors: [new GraphQLError(boundedMessage(error.message), { ...where, extensions: { code } })] };
  }
  // graphql-js parses recursively: a couple of thousand nested brackets exhaust the stack within the token limit.
  if (error instanceof RangeError) return refuse(code, 'Syntax Error: The document is nested too deeply to parse.');
  throw error;
}

export function refuse(code: ErrorCode, message: string, nodes?: ASTNode[]): Refusal {
  return { status: 400, errors: [new GraphQLError(message, { ...(nodes ? { nodes } : {}), extensions: { code } })] };
}

export function invalid(message: string, nodes: ASTNode[]): Refusal {
  return refuse(ErrorCode.GRAPHQL_VALIDATION_FAILED, message, nodes);
}

export function unresolved(message: string): Refusal {
  return refuse(ErrorCode.OPERATION_RESOLUTION_FAILURE, message);
}

/** Names come from the client and a name token can be any length. */
export function shorten(name: string): string {
  return name.length > 100 ? `${name.slice(0, 100)}…` : name;
}

export function via(path: string[]): string {
  if (path.length === 0) return '';
  const shown = path.slice(0, 5).map((name) => `"${shorten(name)}"`).join(', ');
  return ` via ${shown}${path.length > 5 ? ` and ${path.length - 5} more` : ''}`;
}
