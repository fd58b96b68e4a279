-- The audit trail of writes with a request id (subjects, budget steps, transfer documents,
-- declared figures, chart extensions): who asked, next to when. Rows from before authentication
-- existed have no known caller.
alter table request_ids add column caller text not null default '';
