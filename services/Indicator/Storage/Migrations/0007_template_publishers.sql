-- Who publishes a catalog template: '' for a national one, else the region (a province, or a
-- prefecture) whose scoped token defined it (DefineSystem / ImportSystem with region_code).
alter table indicator_systems add column publisher_region text not null default '';
