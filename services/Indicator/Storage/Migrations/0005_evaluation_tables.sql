-- An evaluation's own approved target table (SetEvaluationTable) is stored as a system version under
-- the code "table:<evaluation key>", one version per change, with who set it, when, why and from
-- what. evaluation_key is null for the catalog's templates (built-in and defined systems).
alter table indicator_systems add column evaluation_key text;
alter table indicator_systems add column set_by text not null default '';
alter table indicator_systems add column reason text not null default '';
alter table indicator_systems add column origin text not null default '';
create index indicator_systems_by_evaluation on indicator_systems (evaluation_key, version) where evaluation_key is not null;
