CREATE TABLE `attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`update_id` integer NOT NULL,
	`platform` text NOT NULL,
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`file_name` text,
	`mime_type` text,
	`size_bytes` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`update_id`) REFERENCES `progress_updates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attachments_update_idx` ON `attachments` (`update_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_person_id` integer,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text,
	`before` text,
	`after` text,
	FOREIGN KEY (`actor_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `chat_members` (
	`chat_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`chat_id`, `person_id`),
	FOREIGN KEY (`chat_id`) REFERENCES `chats`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chat_members_person_idx` ON `chat_members` (`person_id`);--> statement-breakpoint
CREATE TABLE `chats` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`platform_chat_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text,
	`unit_id` integer,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chats_platform_chat_uq` ON `chats` (`platform`,`platform_chat_id`);--> statement-breakpoint
CREATE INDEX `chats_unit_idx` ON `chats` (`unit_id`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`user_id` text NOT NULL,
	`flow` text NOT NULL,
	`step` text NOT NULL,
	`answers` text NOT NULL,
	`context` text NOT NULL,
	`prompt_message_id` text,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_owner_uq` ON `conversations` (`platform`,`chat_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `conversations_expiry_idx` ON `conversations` (`expires_at`);--> statement-breakpoint
CREATE TABLE `deadlines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text,
	`title` text NOT NULL,
	`rule` text NOT NULL,
	`params` text NOT NULL,
	`cutoff` text,
	`unit_id` integer,
	`unit_kinds` text,
	`done_criterion` text NOT NULL,
	`policy` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`source` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deadlines_key_uq` ON `deadlines` (`key`);--> statement-breakpoint
CREATE TABLE `fields` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`label` text NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fields_label_uq` ON `fields` (`label`);--> statement-breakpoint
CREATE TABLE `identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`platform` text NOT NULL,
	`platform_user_id` text NOT NULL,
	`username` text,
	`display_name` text NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identities_platform_user_uq` ON `identities` (`platform`,`platform_user_id`);--> statement-breakpoint
CREATE INDEX `identities_person_idx` ON `identities` (`person_id`);--> statement-breakpoint
CREATE TABLE `link_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`person_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_state_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` integer NOT NULL,
	`from_state` text,
	`to_state` text NOT NULL,
	`reason` text,
	`actor_person_id` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `model_state_history_model_idx` ON `model_state_history` (`model_id`,`at`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`year` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`kind` text NOT NULL,
	`holder_type` text NOT NULL,
	`holder_name` text,
	`field_id` integer NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`content` text NOT NULL,
	`expected_result` text,
	`start_date` text NOT NULL,
	`end_date` text NOT NULL,
	`person_in_charge` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`replicated_at` integer,
	`commended_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`field_id`) REFERENCES `fields`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_code_uq` ON `models` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `models_unit_year_name_uq` ON `models` (`unit_id`,`year`,`name_key`);--> statement-breakpoint
CREATE INDEX `models_year_unit_idx` ON `models` (`year`,`unit_id`);--> statement-breakpoint
CREATE INDEX `models_state_idx` ON `models` (`state`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`display_name` text NOT NULL,
	`unit_id` integer,
	`position` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `people_unit_idx` ON `people` (`unit_id`);--> statement-breakpoint
CREATE TABLE `processed_inbound` (
	`platform` text NOT NULL,
	`key` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`platform`, `key`)
);
--> statement-breakpoint
CREATE INDEX `processed_inbound_at_idx` ON `processed_inbound` (`at`);--> statement-breakpoint
CREATE TABLE `progress_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` integer NOT NULL,
	`author_person_id` integer,
	`text` text NOT NULL,
	`percent` integer,
	`progress_state` text,
	`period_year` integer NOT NULL,
	`period_month` integer NOT NULL,
	`period_quarter` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `progress_updates_model_idx` ON `progress_updates` (`model_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `progress_updates_period_idx` ON `progress_updates` (`period_year`,`period_month`);--> statement-breakpoint
CREATE TABLE `reminder_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deadline_id` integer NOT NULL,
	`occurrence` text NOT NULL,
	`chat_id` integer NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`not_before` integer NOT NULL,
	`claim_token` text,
	`claimed_at` integer,
	`sent_at` integer,
	`sent_message_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`deadline_id`) REFERENCES `deadlines`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`chat_id`) REFERENCES `chats`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_outbox_key_uq` ON `reminder_outbox` (`deadline_id`,`occurrence`,`chat_id`,`kind`);--> statement-breakpoint
CREATE INDEX `reminder_outbox_status_idx` ON `reminder_outbox` (`status`,`not_before`);--> statement-breakpoint
CREATE TABLE `roles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`role` text NOT NULL,
	`unit_id` integer,
	`granted_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_person_role_unit_uq` ON `roles` (`person_id`,`role`,`unit_id`) WHERE "roles"."unit_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_person_role_global_uq` ON `roles` (`person_id`,`role`) WHERE "roles"."unit_id" is null;--> statement-breakpoint
CREATE INDEX `roles_unit_idx` ON `roles` (`unit_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `unit_quotas` (
	`unit_id` integer NOT NULL,
	`year` integer NOT NULL,
	`required` integer NOT NULL,
	PRIMARY KEY(`unit_id`, `year`),
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `units` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`short_code` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` integer,
	`join_code` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `units_short_code_uq` ON `units` (`short_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `units_join_code_uq` ON `units` (`join_code`);--> statement-breakpoint
CREATE INDEX `units_parent_idx` ON `units` (`parent_id`);