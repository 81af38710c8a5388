import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate: turns changes to src/db/schema.ts into a new SQL migration in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/inventory/src/db/schema.ts',
  out: './subgraphs/inventory/drizzle',
  schemaFilter: ['inventory'],
  migrations: { schema: 'drizzle', table: 'inventory_migrations' },
});
