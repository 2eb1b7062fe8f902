CREATE TABLE `file_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`file_name` text NOT NULL,
	`mime_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`stored_name` text NOT NULL,
	`platform` text NOT NULL,
	`platform_chat_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`last_download_at` integer,
	`purged_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `file_links_token_hash_uq` ON `file_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `file_links_unpurged_idx` ON `file_links` (`expires_at`) WHERE "file_links"."purged_at" is null;