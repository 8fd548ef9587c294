-- The W3C traceparent of the request that reported the event, so that each attempt's span can link to its trace.
-- Null when tracing was off at intake.
ALTER TABLE dbo.events ADD trace_parent VARCHAR(128) NULL;
