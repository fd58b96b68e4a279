-- The last published in-year monitoring colour per item, so only a change of colour is announced.
create table monitoring_status (
    evaluation_key  text        not null references evaluation_state (evaluation_key),
    indicator_code  text        not null,
    status          text        not null,
    value_version   bigint      not null,
    updated_at      timestamptz not null default now(),
    primary key (evaluation_key, indicator_code)
);
