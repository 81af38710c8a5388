import { getIntrospectionQuery } from 'graphql';

/** The introspection query GraphiQL 3 sends, every option on. */
export const GRAPHIQL_INTROSPECTION_QUERY = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

/** A GraphQL response as a client sees it. */
export type GraphQLResult<TData = Record<string, unknown>> = {
  status: number;
  headers: Headers;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
};

/** POSTs one operation over real HTTP, the way a frontend would. */
export async function post<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<TData>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a result's errors, in order. */
export function codes(result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}
