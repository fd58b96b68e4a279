-- The inputs whose absence left a value empty, structured (kind, metric code, Chinese name,
-- subject), so readers never parse no_value_reason. Values computed before this migration keep
-- their reason text and have none listed until they are recomputed.
alter table indicator_values add column missing_inputs jsonb not null default '[]';
