/**
 * A setting given per client as `<client>=<value>` entries, the way
 * TRUSTED_DOCUMENTS_CLIENT_MODES and CONTRACT_CLIENTS are written. Throws
 * listing every entry that is not one, names a client twice, or has a value
 * `accepts` refuses.
 */
export function parseClientSettings<T extends string>(
  entries: readonly string[],
  {
    setting,
    syntax,
    noun,
    accepts = (value: string): value is T => value !== '',
  }: {
    /** What the entries configure, to start the error with. */
    setting: string;
    /** What an entry must look like, e.g. `<client>=<contract>`. */
    syntax: string;
    /** What a value is, e.g. "a contract". */
    noun: string;
    accepts?: (value: string) => value is T;
  },
): Map<string, T> {
  const settings = new Map<string, T>();
  const problems: string[] = [];
  for (const entry of entries) {
    const [client = '', value = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (client === '' || rest.length > 0 || !accepts(value)) problems.push(`"${entry}" is not ${syntax}`);
    else if (settings.has(client)) problems.push(`client "${client}" is given ${noun} twice`);
    else settings.set(client, value);
  }
  if (problems.length > 0) throw new Error(`${setting}: ${problems.join('; ')}`);
  return settings;
}
