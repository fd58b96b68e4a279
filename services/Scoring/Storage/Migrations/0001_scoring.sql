create table evaluation_state (
    evaluation_key     text   primary key,
    value_version      bigint not null default 0,
    scorecard_version  bigint not null default 0
);

-- Append-only: every scorecard version is kept, so a change of score can be explained later.
create table scorecards (
    evaluation_key     text   not null references evaluation_state (evaluation_key),
    scorecard_version  bigint not null,
    value_version      bigint not null,
    total              numeric not null,
    grade              text   not null,
    scored             bytea  not null,
    created_at         timestamptz not null default now(),
    primary key (evaluation_key, scorecard_version)
);
