CREATE TABLE `leader_digest_runs` (
	`chat_row_id` integer NOT NULL,
	`day` text NOT NULL,
	`waiting` integer NOT NULL,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`chat_row_id`, `day`),
	FOREIGN KEY (`chat_row_id`) REFERENCES `chats`(`id`) ON UPDATE no action ON DELETE cascade
);
