-- Each webhook's worker claims its own due deliveries (issue 22): the
-- pending ones are found by webhook, then by due time.
CREATE INDEX webhook_deliveries_due_by_webhook ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
