CREATE SCHEMA "junction_gateway";
--> statement-breakpoint
CREATE TABLE "junction_gateway"."api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"client" text NOT NULL,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"rate_limit_burst" integer,
	"rate_limit_per_second" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_key" UNIQUE("key_hash"),
	CONSTRAINT "api_keys_rate_limit_check" CHECK ((rate_limit_burst is null and rate_limit_per_second is null) or (rate_limit_burst > 0 and rate_limit_per_second > 0))
);
