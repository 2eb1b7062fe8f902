CREATE TABLE `zalo_oa_tokens` (
	`oa_id` text PRIMARY KEY NOT NULL,
	`access_token` text,
	`access_expires_at` integer,
	`refresh_token` text NOT NULL,
	`refresh_expires_at` integer NOT NULL,
	`state` text DEFAULT 'ok' NOT NULL,
	`state_since` integer NOT NULL,
	`state_reason` text,
	`updated_at` integer NOT NULL
);
