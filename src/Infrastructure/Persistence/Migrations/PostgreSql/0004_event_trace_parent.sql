-- The W3C traceparent of the request that reported the event, so that each attempt's span can link to its trace.
-- Null when tracing was off at intake.
ALTER TABLE events ADD COLUMN trace_parent text NULL;
