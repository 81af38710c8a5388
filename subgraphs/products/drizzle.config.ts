import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate: turns changes to src/db/schema.ts into a new SQL migration in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/products/src/db/schema.ts',
  out: './subgraphs/products/drizzle',
  schemaFilter: ['products'],
  migrations: { schema: 'drizzle', table: 'products_migrations' },
});
