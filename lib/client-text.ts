/*
 * Bounds on text a client controls before it is judged, logged or quoted back.
 * A client can send a megabyte in a variable, a name or a literal, and
 * graphql-js quotes a client's whole value in its messages (twice, for a
 * variable): every message the gateway answers with goes through
 * `boundedMessage`, and every check on a message reads at most its first
 * MESSAGE_CHARACTERS. Each function here is one pass over its input.
 */

/** Characters of a message that are kept, shown and checked. */
export const MESSAGE_CHARACTERS = 1_000;

/** Characters of one quoted value or name a message keeps. */
export const QUOTED_CHARACTERS = 80;

/** `text` cut to `max` characters and an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/**
 * A message as clients see it: each double-quoted part (a name, a string
 * value, as graphql-js's `inspect` and the printer quote them; backslash
 * escapes honoured) cut to QUOTED_CHARACTERS, then the whole to
 * MESSAGE_CHARACTERS. `Variable "$x" got invalid value "aaa…(1 MB)"` becomes
 * `Variable "$x" got invalid value "aaa…"`.
 */
export function boundedMessage(message: string): string {
  return clip(shortenQuoted(message, QUOTED_CHARACTERS), MESSAGE_CHARACTERS);
}

/** Each double-quoted part of `text` cut to `max` characters; an unterminated quote is left to the caller's clip. */
export function shortenQuoted(text: string, max: number): string {
  let shortened = '';
  let copied = 0;
  let at = text.indexOf('"');
  while (at !== -1) {
    const close = closingQuote(text, at + 1);
    if (close === -1) break;
    if (close - at - 1 > max) {
      const end = isHighSurrogate(text.charCodeAt(at + max)) ? at + max : at + 1 + max;
      shortened += `${text.slice(copied, end)}…"`;
      copied = close + 1;
    }
    at = text.indexOf('"', close + 1);
  }
  return copied === 0 ? text : shortened + text.slice(copied);
}

/**
 * The index of the quote closing a quoted part whose text starts at `from`:
 * the next quote not escaped by an odd run of backslashes; -1 when none.
 * Found with indexOf; each run of backslashes is counted once.
 */
export function closingQuote(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && text.charCodeAt(quote - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

const BACKSLASH = 0x5c;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
