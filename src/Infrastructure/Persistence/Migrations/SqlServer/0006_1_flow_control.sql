-- Flow control (contract section 5). The integrator's own limits: max_in_flight across all nodes, max_per_second
-- started in any one second; null is no limit. next_start_at: the next free start slot under max_per_second, which
-- every node's claim takes its slots from.
-- The claim starts from the webhooks that have due work, never from all of them: due_at is never later than the
-- webhook's earliest pending delivery that the claim could take (null: none, or disabled), and waits_for_room says it
-- has due work but no room, so that the end of one of its attempts makes it due again at once.
ALTER TABLE dbo.webhooks ADD
    max_in_flight   INT NULL,
    max_per_second  INT NULL,
    next_start_at   DATETIMEOFFSET(6) NULL,
    due_at          DATETIMEOFFSET(6) NULL,
    waits_for_room  BIT NOT NULL CONSTRAINT df_webhooks_waits_for_room DEFAULT 0;
