CREATE TABLE `join_blocks` (
	`person_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`blocked_by` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`person_id`, `unit_id`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocked_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `join_blocks_blocked_by_idx` ON `join_blocks` (`blocked_by`);--> statement-breakpoint
ALTER TABLE `link_codes` ADD `burnt_at` integer;--> statement-breakpoint
ALTER TABLE `link_codes` ADD `redeemer_person_id` integer REFERENCES people(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `link_codes` ADD `redeemed_at` integer;