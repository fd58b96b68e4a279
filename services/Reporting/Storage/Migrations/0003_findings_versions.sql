-- The appendix's sources are read beside the scorecard: the ledger version its reconciliation
-- findings were read at and the indicator value version of the indicator findings (0 when the
-- source gave none and the appendix says 暂无数据), so a render's every input is on record.
alter table report_versions add column findings_ledger_version bigint not null default 0;
alter table report_versions add column findings_value_version bigint not null default 0;
