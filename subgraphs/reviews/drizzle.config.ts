import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate: turns changes to src/db/schema.ts into a new SQL migration in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/reviews/src/db/schema.ts',
  out: './subgraphs/reviews/drizzle',
  schemaFilter: ['reviews'],
  migrations: { schema: 'drizzle', table: 'reviews_migrations' },
});
