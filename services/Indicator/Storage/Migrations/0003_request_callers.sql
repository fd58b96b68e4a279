-- The audit trail of observations, declared actuals and bindings: the authenticated caller of each
-- request, next to when. Rows from before authentication existed have no known caller.
alter table requests add column caller text not null default '';
