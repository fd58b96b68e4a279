-- Each render is stored with every input version it was computed from, the date written inside
-- its files and a hash over its formats, so it can be reproduced and compared without downloading.
alter table report_versions add column ledger_version bigint not null default 0;
alter table report_versions add column value_version bigint not null default 0;
alter table report_versions add column report_date text not null default '';
alter table report_versions add column content_sha256 text not null default '';
