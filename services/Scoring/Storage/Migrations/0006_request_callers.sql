-- The audit trail of assessors' judgments, overrides, deductions and notes: the authenticated
-- caller that submitted each request (the request's own `author` is what the caller says of the
-- person), next to when. Rows from before authentication existed have no known caller.
alter table request_ids add column caller text not null default '';
