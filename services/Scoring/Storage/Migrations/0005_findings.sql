-- The indicator service's reconciliation findings (GetFindingsResponse) each scorecard version was
-- scored with, so a judgment that rescores the latest version keeps its declared-actual differences.
alter table scorecards add column findings_snapshot bytea;
