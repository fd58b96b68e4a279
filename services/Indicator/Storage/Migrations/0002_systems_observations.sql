-- Indicator systems: every version kept, as the proto the service serves and the file it came from.
create table indicator_systems (
    system_code   text        not null,
    version       int         not null,
    name          text        not null,
    subject_kind  text        not null,
    definition    bytea       not null,
    built_in      boolean     not null,
    defined_at    timestamptz not null default now(),
    primary key (system_code, version)
);

-- The system version an evaluation is scored with; pinned at first use when never bound explicitly.
create table evaluation_bindings (
    evaluation_key  text        primary key,
    system_code     text        not null,
    version         int         not null,
    explicit        boolean     not null,
    bound_at        timestamptz not null default now()
);

-- Non-money statistics. A newer revision of the same (region, subject, year, month, metric)
-- supersedes the older one; the history stays.
create table observations (
    revision       bigserial   primary key,
    region_code    text        not null,
    subject_code   text        not null,
    fiscal_year    int         not null,
    month          int         not null,
    metric         text        not null,
    value          numeric     not null,
    unit           text        not null,
    respondents    int         not null,
    request_id     text        not null,
    superseded_by  bigint,
    recorded_at    timestamptz not null default now()
);
create index observations_current on observations (region_code, fiscal_year) where superseded_by is null;

-- Indicator actuals as a bureau typed them (DeclaredActual), reconciled against computed values.
create table declared_actuals (
    revision        bigserial   primary key,
    evaluation_key  text        not null,
    indicator_code  text        not null,
    value           numeric     not null,
    source          text        not null,
    request_id      text        not null,
    superseded_by   bigint,
    recorded_at     timestamptz not null default now()
);

-- AIP-155 request ids with a hash of the request, so a retry returns the first answer.
create table requests (
    request_id    text        primary key,
    method        text        not null,
    request_hash  text        not null,
    response      bytea       not null,
    created_at    timestamptz not null default now()
);

alter table evaluation_state add column observation_revision bigint not null default 0;
alter table evaluation_state add column system_code text not null default '';
alter table evaluation_state add column system_version int not null default 0;
alter table indicator_values add column zero_denominator boolean not null default false;
alter table indicator_values add column formula text not null default '';
