CREATE SCHEMA "products";
--> statement-breakpoint
CREATE TABLE "products"."products" (
	"upc" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price" integer NOT NULL,
	"weight" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_check" CHECK ("products"."products"."price" >= 0),
	CONSTRAINT "products_weight_check" CHECK ("products"."products"."weight" >= 0)
);
--> statement-breakpoint
CREATE INDEX "products_created_at_idx" ON "products"."products" USING btree ("created_at" DESC NULLS LAST,"upc");