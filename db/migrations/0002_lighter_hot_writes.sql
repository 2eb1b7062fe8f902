DROP INDEX `conversations_expiry_idx`;--> statement-breakpoint
DROP INDEX `processed_inbound_at_idx`;