-- Per evaluation: the ledger version last computed from and the value version it produced.
create table evaluation_state (
    evaluation_key  text   primary key,
    region_code     text   not null,
    subject_code    text   not null,
    fiscal_year     int    not null,
    ledger_version  bigint not null default 0,
    value_version   bigint not null default 0
);

-- Append-only history of computed values with their lineage (inputs and the ledger version read),
-- so any published value can be explained and reproduced later.
create table indicator_values (
    evaluation_key   text   not null references evaluation_state (evaluation_key),
    indicator_code   text   not null,
    value_version    bigint not null,
    ledger_version   bigint not null,
    name             text   not null,
    unit             text   not null,
    value            numeric,
    no_value_reason  text   not null,
    inputs           jsonb  not null,
    computed_at      timestamptz not null default now(),
    primary key (evaluation_key, indicator_code, value_version)
);
