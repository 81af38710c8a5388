CREATE SCHEMA "inventory";
--> statement-breakpoint
CREATE TABLE "inventory"."stock" (
	"upc" text PRIMARY KEY NOT NULL,
	"quantity" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_quantity_check" CHECK ("inventory"."stock"."quantity" >= 0)
);
