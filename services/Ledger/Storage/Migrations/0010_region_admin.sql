-- Region administration. Codes change every year: a national administrator adds, renames and
-- retires regions. A retired region stays (its subjects and their data remain readable) but takes
-- no new subject and no new child. The full catalog itself is loaded at start-up from the
-- embedded Storage/Regions/regions.csv (Application/Regions/RegionCatalog.cs), not here.
alter table regions add column retired_at timestamptz;

create index regions_by_parent on regions (parent_code, code);

-- Every change of a region, oldest first: who, when, what, why. kind is RegionChangeKind
-- (1 catalog loaded, 2 added, 3 renamed, 4 retired).
create table region_changes (
    change_id      bigserial   primary key,
    code           char(6)     not null references regions (code),
    kind           smallint    not null check (kind between 1 and 4),
    name           text        not null,
    previous_name  text        not null default '',
    parent_code    char(6),
    reason         text        not null,
    changed_by     text        not null,
    changed_at     timestamptz not null default now(),
    request_id     text        not null default ''
);

create index region_changes_by_code on region_changes (code, change_id);

-- The regions seeded by 0001 begin their history here, as the catalog's regions do at their load.
insert into region_changes (code, kind, name, parent_code, reason, changed_by)
select code, 1, name, parent_code, 'seeded by migration 0001_ledger.sql', 'service' from regions order by code;
