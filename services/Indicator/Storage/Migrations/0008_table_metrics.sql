-- The statistics an evaluation's table declares for itself (IndicatorSystem.metrics), so that
-- RecordObservations accepts them for that region and year like a built-in metric.
create table evaluation_metrics (
    evaluation_key  text not null,
    region_code     text not null,
    fiscal_year     int  not null,
    code            text not null,
    name            text not null,
    unit            text not null,
    primary key (evaluation_key, code)
);
create index evaluation_metrics_by_region on evaluation_metrics (region_code, fiscal_year, code);
