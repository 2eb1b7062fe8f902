ALTER TABLE `people` ADD `privacy_notice_at` integer;--> statement-breakpoint
ALTER TABLE `people` ADD `removed_at` integer;