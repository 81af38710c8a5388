/*
 * Content negotiation on the Accept header, as RFC 9110 §12.5.1 has it and
 * GraphQL over HTTP asks of a server: a media type's weight is that of the
 * most specific range matching it (`application/json;charset=utf-8`, then
 * `application/json`, then `application/*`, then `*\/*`), `q=0` means "not
 * this one", and the encoder with the highest weight answers. The header is
 * the client's: it is read in one pass, and only its first
 * MAX_ACCEPT_CHARACTERS and MAX_MEDIA_RANGES ranges.
 */

/** What is negotiated: anything with the Content-Type it writes (an Encoder). */
export type Representation = { readonly contentType: string };

/** One media range: `type/subtype` (lower case, `*` for a wildcard), its parameters (names in lower case) and its weight. */
export type MediaRange = { type: string; subtype: string; parameters: readonly (readonly [string, string])[]; q: number };

/** Characters of an Accept header read; the rest is ignored. */
export const MAX_ACCEPT_CHARACTERS = 4_096;
/** Media ranges of an Accept header read; the rest are ignored. */
export const MAX_MEDIA_RANGES = 64;

/**
 * The encoder to answer with, or undefined when the client accepts none of
 * them (answer 406). `encoders` are in the server's order of preference, the
 * last one the default:
 * - no Accept header (or one with no well-formed range) gets the default;
 * - otherwise the highest weight wins;
 * - between equal weights, a type the client named beats one only a wildcard
 *   covers; between types it named, the earlier encoder (so
 *   `application/graphql-response+json` before `application/json`); between
 *   types only its wildcards cover (`*\/*`, `application/*`), the default,
 *   as for a client that sent no Accept at all.
 *
 * With `namedOnly`, only media types the client named count (a subscription's
 * event stream is never a wildcard's default).
 */
export function negotiate<E extends Representation>(accept: string | undefined, encoders: readonly E[], { namedOnly = false } = {}): E | undefined {
  const fallback = encoders[encoders.length - 1];
  const parsed = accept === undefined ? [] : parseAccept(accept);
  // Named only: a wildcard accepts nothing here, and no Accept header gets no encoder.
  const ranges = namedOnly ? parsed.filter((range) => range.type !== '*' && range.subtype !== '*') : parsed;
  if (ranges.length === 0) return namedOnly ? undefined : fallback;
  let best: { encoder: E; q: number; named: boolean } | undefined;
  for (const encoder of encoders) {
    const match = bestMatch(ranges, mediaTypeOf(encoder));
    if (!match || match.q === 0) continue;
    const named = match.specificity >= NAMED;
    const better =
      !best || match.q > best.q || (match.q === best.q && ((named && !best.named) || (!named && !best.named && encoder === fallback)));
    if (better) best = { encoder, q: match.q, named };
  }
  return best?.encoder;
}

/** The media ranges of an Accept header, in order; malformed ones are left out. */
export function parseAccept(header: string): MediaRange[] {
  const text = header.length > MAX_ACCEPT_CHARACTERS ? header.slice(0, MAX_ACCEPT_CHARACTERS) : header;
  const ranges: MediaRange[] = [];
  for (let at = 0; at < text.length && ranges.length < MAX_MEDIA_RANGES; ) {
    const [range, next] = mediaRangeAt(text, at);
    if (range) ranges.push(range);
    at = next;
  }
  return ranges;
}

/** The weight `ranges` give `mediaType` (e.g. `application/json`): that of the most specific range matching it, 0 when none does. */
export function weightOf(ranges: readonly MediaRange[], mediaType: string): number {
  const type = parseAccept(mediaType)[0];
  return type ? (bestMatch(ranges, type)?.q ?? 0) : 0;
}

/** How specific a range is: `*\/*` 0, `type/*` 1, `type/subtype` 2 plus its parameters. */
const NAMED = 2;

/** The most specific range that matches `type` (the highest weight among equally specific ones), if any does. */
function bestMatch(ranges: readonly MediaRange[], type: MediaRange): { q: number; specificity: number } | undefined {
  let best: { q: number; specificity: number } | undefined;
  for (const range of ranges) {
    const specificity = matches(range, type);
    if (specificity === undefined) continue;
    if (!best || specificity > best.specificity || (specificity === best.specificity && range.q > best.q)) best = { q: range.q, specificity };
  }
  return best;
}

function matches(range: MediaRange, type: MediaRange): number | undefined {
  let specificity: number;
  if (range.type === '*') specificity = 0;
  else if (range.type !== type.type) return undefined;
  else if (range.subtype === '*') specificity = 1;
  else if (range.subtype !== type.subtype) return undefined;
  else specificity = NAMED;
  // A range's parameters narrow it: each must be one the representation has (charset in any case).
  for (const [name, value] of range.parameters) {
    const own = type.parameters.find(([ownName]) => ownName === name)?.[1];
    if (own === undefined || (name === 'charset' ? own.toLowerCase() !== value.toLowerCase() : own !== value)) return undefined;
  }
  return specificity + range.parameters.length;
}

/** Each encoder's Content-Type, parsed once. */
const mediaTypes = new WeakMap<Representation, MediaRange>();

function mediaTypeOf(encoder: Representation): MediaRange {
  let type = mediaTypes.get(encoder);
  if (!type) {
    type = parseAccept(encoder.contentType)[0];
    if (!type) throw new Error(`An encoder's content type is not a media type: ${encoder.contentType}`);
    mediaTypes.set(encoder, type);
  }
  return type;
}

/**
 * The range starting at `at`, undefined when it is malformed or empty, and
 * where the next one starts (past the comma). Every index only moves forward.
 */
function mediaRangeAt(text: string, at: number): [MediaRange | undefined, number] {
  let index = skipSpaces(text, at);
  const typeEnd = skipToken(text, index);
  const type = text.slice(index, typeEnd).toLowerCase();
  index = typeEnd;
  let valid = type !== '' && text[index] === '/';
  let subtype = '';
  if (valid) {
    const subtypeEnd = skipToken(text, index + 1);
    subtype = text.slice(index + 1, subtypeEnd).toLowerCase();
    index = subtypeEnd;
    valid = subtype !== '' && (type !== '*' || subtype === '*');
  }
  const parameters: [string, string][] = [];
  let q = 1;
  let weighted = false;
  while (valid) {
    index = skipSpaces(text, index);
    if (index >= text.length || text[index] === ',') break;
    if (text[index] !== ';') {
      valid = false;
      break;
    }
    index = skipSpaces(text, index + 1);
    // A trailing `;` is tolerated.
    if (index >= text.length || text[index] === ',') break;
    const nameEnd = skipToken(text, index);
    const name = text.slice(index, nameEnd).toLowerCase();
    index = nameEnd;
    if (name === '' || text[index] !== '=') {
      valid = false;
      break;
    }
    index++;
    let value: string | undefined;
    if (text[index] === '"') [value, index] = quotedStringAt(text, index);
    else {
      const valueEnd = skipToken(text, index);
      value = text.slice(index, valueEnd);
      index = valueEnd;
    }
    if (value === undefined) {
      valid = false;
      break;
    }
    if (name === 'q' && !weighted) {
      const weight = qvalue(value);
      if (weight === undefined) {
        valid = false;
        break;
      }
      q = weight;
      weighted = true;
      // What follows the weight is no parameter of the media type (RFC 7231's accept-ext): ignored.
    } else if (!weighted) parameters.push([name, value]);
  }
  return [valid ? { type, subtype, parameters, q } : undefined, nextRange(text, index)];
}

/** The index after the next comma outside a quoted string, or the end. */
function nextRange(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (char === ',') return index + 1;
    if (char === '"') index = quotedStringAt(text, index)[1] - 1;
  }
  return text.length;
}

/** The value of the quoted string starting at `at` and the index after it; undefined when it never closes. */
function quotedStringAt(text: string, at: number): [string | undefined, number] {
  let value = '';
  for (let index = at + 1; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') return [value, index + 1];
    if (char === '\\' && index + 1 < text.length) value += text[++index];
    else value += char;
  }
  return [undefined, text.length];
}

/** RFC 9110's qvalue: `0`, `0.` and up to three digits, or `1`, `1.` and up to three zeros. */
function qvalue(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  const first = text[0];
  if (first !== '0' && first !== '1') return undefined;
  if (text.length > 1 && text[1] !== '.') return undefined;
  for (let index = 2; index < text.length; index++) {
    const digit = text[index]!;
    if (digit < '0' || digit > '9' || (first === '1' && digit !== '0')) return undefined;
  }
  return Number(text);
}

function skipSpaces(text: string, from: number): number {
  let index = from;
  while (index < text.length && (text[index] === ' ' || text[index] === '\t')) index++;
  return index;
}

/** Past RFC 9110's token characters (tchar). */
function skipToken(text: string, from: number): number {
  let index = from;
  while (index < text.length && isTokenCharacter(text.charCodeAt(index))) index++;
  return index;
}

/** RFC 9110's tchar: letters, digits and these. */
const TOKEN_CHARACTERS = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHARACTERS[char.charCodeAt(0)] = 1;

function isTokenCharacter(code: number): boolean {
  return code < 128 && TOKEN_CHARACTERS[code] === 1;
}
