create table evaluation_state (
    evaluation_key     text   primary key,
    scorecard_version  bigint not null default 0,
    report_version     bigint not null default 0
);

-- Every rendered version is kept with the versions it was rendered from and its content hash.
create table report_versions (
    evaluation_key     text        not null references evaluation_state (evaluation_key),
    report_version     bigint      not null,
    scorecard_version  bigint      not null,
    total              text        not null,
    grade              text        not null,
    created_at         timestamptz not null default now(),
    primary key (evaluation_key, report_version)
);

create table report_files (
    evaluation_key  text   not null,
    report_version  bigint not null,
    format          text   not null,
    sha256          text   not null,
    content         bytea  not null,
    primary key (evaluation_key, report_version, format),
    foreign key (evaluation_key, report_version) references report_versions (evaluation_key, report_version)
);
