-- Flow control (contract section 5). The integrator's own limits: max_in_flight across all nodes, max_per_second
-- started in any one second; null is no limit. next_start_at: the next free start slot under max_per_second, which
-- every node's claim takes its slots from.
ALTER TABLE webhooks ADD COLUMN max_in_flight INTEGER NULL;
ALTER TABLE webhooks ADD COLUMN max_per_second INTEGER NULL;
ALTER TABLE webhooks ADD COLUMN next_start_at TEXT NULL;

-- The claim starts from the webhooks that have due work, never from all of them: due_at is never later than the
-- webhook's earliest pending delivery that the claim could take (null: none, or disabled), and waits_for_room says it
-- has due work but no room, so that the end of one of its attempts makes it due again at once.
ALTER TABLE webhooks ADD COLUMN due_at TEXT NULL;
ALTER TABLE webhooks ADD COLUMN waits_for_room INTEGER NOT NULL DEFAULT 0;
