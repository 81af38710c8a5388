/**
 * CORS_ORIGINS, parsed once at boot: which browser origins may read the
 * gateway's answers (gateway/src/http/cors.ts matches them per request).
 *
 * An entry is one of:
 * - `*`: any origin, answered `Access-Control-Allow-Origin: *` (never with
 *   credentials, which browsers refuse with it); nothing else may be listed.
 * - an origin, `scheme://host[:port]` (`https://app.example.com`,
 *   `http://localhost:5173`): that origin exactly, as a browser serializes it
 *   (lower case, no default port, no path, no trailing slash).
 * - a pattern: the host `*.example.com` for any subdomain of example.com, at
 *   any depth (`a.example.com`, `a.b.example.com`), never example.com itself;
 *   and/or the port `*` for any port (`http://localhost:*`).
 *
 * Without a scheme an entry is https. The port is matched exactly: none
 * written means the scheme's default (443 for https), the only port a
 * browser then leaves out of its Origin header; `:*` means any port, the
 * default included. So `*.example.com` is `https://*.example.com` and allows
 * `https://a.example.com` but neither `http://a.example.com` nor
 * `https://a.example.com:8443`.
 */
export type CorsOrigins =
  | { readonly anyOrigin: true }
  | {
      readonly anyOrigin: false;
      /** Serialized origins, compared as they are to the Origin header. */
      readonly exact: readonly string[];
      readonly patterns: readonly OriginPattern[];
    };

export type OriginPattern = {
  readonly scheme: 'http' | 'https';
  /** The host (`localhost`, `[::1]`), or with `subdomains` the suffix every allowed host ends with (`.example.com`). */
  readonly host: string;
  readonly subdomains: boolean;
  /** A port's digits, `''` for the scheme's default (the Origin header names none), `*` for any. */
  readonly port: string;
};

/** NODE_ENV other than production: a dev server on this machine, on any port (Vite's 5173, Next's 3000...). */
export const DEVELOPMENT_ORIGINS: CorsOrigins = {
  anyOrigin: false,
  exact: [],
  patterns: ['localhost', '127.0.0.1', '[::1]'].map((host) => ({ scheme: 'http', host, subdomains: false, port: '*' })),
};

/** The entries of CORS_ORIGINS, or the problem with each that is not one. */
export function parseCorsOrigins(entries: readonly string[]): { origins: CorsOrigins; problems: string[] } {
  const problems: string[] = [];
  if (entries.length === 0) problems.push('lists no origin');
  const anyOrigin = entries.includes('*');
  if (anyOrigin && entries.length > 1) problems.push('"*" allows any origin: list nothing else with it');
  const exact = new Set<string>();
  const patterns: OriginPattern[] = [];
  for (const entry of entries) {
    if (entry === '*') continue;
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') problems.push(`"${entry}" ${parsed}`);
    else if ('origin' in parsed) exact.add(parsed.origin);
    else patterns.push(parsed);
  }
  return { origins: anyOrigin ? { anyOrigin } : { anyOrigin, exact: [...exact], patterns }, problems };
}

/** Whether the raw variables ask for credentials with any origin, which browsers refuse (boot then lists it as a problem). */
export function credentialsWithAnyOrigin(raw: { CORS_ORIGINS?: string | undefined; CORS_CREDENTIALS?: string | undefined }): boolean {
  const credentials = raw.CORS_CREDENTIALS === 'true' || raw.CORS_CREDENTIALS === '1';
  return credentials && (raw.CORS_ORIGINS ?? '').split(',').some((entry) => entry.trim() === '*');
}

const ORIGIN_SYNTAX = 'write scheme://host[:port], without a path or a trailing slash';

/** One entry: an exact origin, a pattern, or what is wrong with it. */
function parseEntry(entry: string): { origin: string } | OriginPattern | string {
  if (entry.toLowerCase() === 'null') return 'is the origin of sandboxed pages and files, which only "*" allows';
  const schemeEnd = entry.indexOf('://');
  const scheme = schemeEnd === -1 ? 'https' : entry.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return 'is not an http or https origin';
  let rest = schemeEnd === -1 ? entry : entry.slice(schemeEnd + 3);
  if (/[/?#@\\\s]/.test(rest)) return `is not an origin: ${ORIGIN_SYNTAX}`;

  const anyPort = rest.endsWith(':*');
  if (anyPort) rest = rest.slice(0, -2);
  const subdomains = rest.startsWith('*.');
  if (subdomains) rest = rest.slice(2);
  if (rest.includes('*')) return 'has a "*" where a pattern cannot: only "*.domain" as the host, and ":*" as the port';

  // The URL parser does what a browser does to a host: lower case, punycode, no default port.
  let url: URL;
  try {
    url = new URL(`${scheme}://${subdomains ? `x.${rest}` : rest}`);
  } catch {
    return `is not an origin: ${ORIGIN_SYNTAX}`;
  }
  if (anyPort && url.port !== '') return 'has two ports';
  if (!subdomains && !anyPort) return { origin: url.origin };
  const host = subdomains ? url.hostname.slice(1) : url.hostname;
  if (subdomains && !host.slice(1).includes('.') && host !== '.localhost') {
    return `would allow every site under ".${host.slice(1)}": name a domain, e.g. "*.example${host}"`;
  }
  return { scheme, host, subdomains, port: anyPort ? '*' : url.port };
}
