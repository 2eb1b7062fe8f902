ALTER TABLE `attachments` ADD `evidence_state` text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `attachments` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `attachments` ADD `stored_bytes` integer;--> statement-breakpoint
ALTER TABLE `attachments` ADD `stored_at` integer;--> statement-breakpoint
ALTER TABLE `attachments` ADD `fetch_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `attachments` ADD `next_fetch_at` integer;--> statement-breakpoint
ALTER TABLE `attachments` ADD `fetch_error` text;--> statement-breakpoint
CREATE INDEX `attachments_pending_idx` ON `attachments` (`next_fetch_at`) WHERE "attachments"."evidence_state" = 'pending';--> statement-breakpoint
CREATE INDEX `attachments_sha256_idx` ON `attachments` (`sha256`);--> statement-breakpoint
-- Attachments saved before this release are fetched too: a Telegram file_id stays good, and a Zalo link
-- may not have expired yet.
UPDATE `attachments` SET `next_fetch_at` = `created_at`;