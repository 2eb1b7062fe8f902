CREATE TABLE `reminder_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deadline_id` integer NOT NULL,
	`occurrence` text NOT NULL,
	`kind` text NOT NULL,
	`late_units` integer NOT NULL,
	`messages` integer NOT NULL,
	`planned_at` integer NOT NULL,
	FOREIGN KEY (`deadline_id`) REFERENCES `deadlines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_runs_key_uq` ON `reminder_runs` (`deadline_id`,`occurrence`,`kind`);--> statement-breakpoint
ALTER TABLE `reminder_outbox` ADD `expires_at` integer;