-- The inputs each scorecard version was computed from (the indicator system and the values with
-- their value and ledger versions), so a judgment can rescore without asking the indicator service
-- and a change can be explained later.
alter table scorecards add column system_snapshot bytea;
alter table scorecards add column values_snapshot bytea;

-- Assessor judgments, append-only: the audit of who judged what, when, and which judgment it replaced.
-- An assessment, override or deviation note replaces the item's previous one of its kind; deductions add up.
create table judgments (
    judgment_id     bigserial   primary key,
    evaluation_key  text        not null references evaluation_state (evaluation_key),
    indicator_code  text        not null,
    kind            text        not null check (kind in ('assessment', 'override', 'deduction', 'deviation-note')),
    band            smallint,
    score           numeric,
    text            text        not null,
    author          text        not null,
    request_id      text        not null,
    replaces_id     bigint      references judgments (judgment_id),
    created_at      timestamptz not null default now()
);
create index judgments_by_evaluation on judgments (evaluation_key, judgment_id);

-- AIP-155 request ids: the shared request_ids table (PerfEval.Storage).
