-- The bureau's own texts per evaluation (UpdateEvaluationTexts). The current texts and every earlier
-- state are kept as the protobuf JSON of perfeval.reporting.v1.EvaluationTexts, readable in psql,
-- with who changed them and when: a reviewer can see what the report said at each version.
create table evaluation_texts (
    evaluation_key text primary key,
    texts_version  bigint      not null,
    texts          jsonb       not null,
    updated_by     text        not null,
    updated_at     timestamptz not null default now()
);

create table evaluation_texts_history (
    evaluation_key text        not null,
    texts_version  bigint      not null,
    texts          jsonb       not null,
    updated_by     text        not null,
    updated_at     timestamptz not null,
    primary key (evaluation_key, texts_version)
);

-- A texts change renders a new report version from the latest scorecard: keep that scorecard (the
-- EvaluationScored bytes and its publish time) and which texts version each render printed.
alter table evaluation_state add column texts_version bigint not null default 0;
alter table evaluation_state add column last_scored bytea;
alter table evaluation_state add column last_scored_at timestamptz;
alter table report_versions add column texts_version bigint not null default 0;
