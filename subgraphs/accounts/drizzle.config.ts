import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate: turns changes to src/db/schema.ts into a new SQL migration in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/accounts/src/db/schema.ts',
  out: './subgraphs/accounts/drizzle',
  schemaFilter: ['accounts'],
  migrations: { schema: 'drizzle', table: 'accounts_migrations' },
});
