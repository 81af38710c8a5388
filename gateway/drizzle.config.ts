import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate: turns changes to src/db/schema.ts into a new SQL migration in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './gateway/src/stages/identify/db/schema.ts',
  out: './gateway/drizzle',
  schemaFilter: ['junction_gateway'],
  migrations: { schema: 'drizzle', table: 'gateway_migrations' },
});
