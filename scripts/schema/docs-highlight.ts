import { Lexer, Source, TokenKind, type Token } from 'graphql';
import { escapeHtml } from './docs-html.js';

/**
 * A GraphQL document as highlighted HTML, from graphql-js's own lexer: each
 * token a span by what it is (keyword, type, variable, string, number,
 * punctuation, comment), the text between tokens (spaces, commas) as it is.
 * Every piece is escaped, so the text of an operation is only ever text.
 */
const KEYWORDS = new Set(['query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null']);

function classOf(token: Token, previous: Token | undefined): string | undefined {
  switch (token.kind) {
    case TokenKind.NAME: {
      if (previous?.kind === TokenKind.DOLLAR) return 'tok-variable';
      if (KEYWORDS.has(token.value)) return 'tok-keyword';
      // A type after `on`, or in a variable's type (`$upc: String!`, `[Review!]`); not an enum value (`sort: NAME`).
      const typePosition =
        (previous?.kind === TokenKind.NAME && previous.value === 'on') || previous?.kind === TokenKind.COLON || previous?.kind === TokenKind.BRACKET_L;
      return typePosition && /^[A-Z]/.test(token.value) && !/^[A-Z0-9_]+$/.test(token.value) ? 'tok-type' : undefined;
    }
    case TokenKind.DOLLAR:
      return 'tok-variable';
    case TokenKind.STRING:
    case TokenKind.BLOCK_STRING:
      return 'tok-string';
    case TokenKind.INT:
    case TokenKind.FLOAT:
      return 'tok-number';
    case TokenKind.COMMENT:
      return 'tok-comment';
    default:
      return 'tok-punct';
  }
}

/** Throws graphql-js's syntax error for text that is not GraphQL; registered operations always parse. */
export function highlightGraphQL(text: string): string {
  const lexer = new Lexer(new Source(text));
  const start = lexer.token;
  while (lexer.advance().kind !== TokenKind.EOF);
  let html = '';
  let at = 0;
  let previous: Token | undefined;
  for (let token = start.next; token && token.kind !== TokenKind.EOF; token = token.next) {
    html += escapeHtml(text.slice(at, token.start));
    const className = classOf(token, previous);
    // `$first` is one variable, not a `$` and a name.
    const end = token.kind === TokenKind.DOLLAR && token.next?.kind === TokenKind.NAME && token.next.start === token.end ? token.next : token;
    const piece = escapeHtml(text.slice(token.start, end.end));
    html += className === undefined ? piece : `<span class="${className}">${piece}</span>`;
    at = end.end;
    token = end;
    if (token.kind !== TokenKind.COMMENT) previous = token;
  }
  return html + escapeHtml(text.slice(at));
}
