-- Why the latest values could not be scored (e.g. a system whose weights do not add up to 100);
-- null when the latest scoring succeeded. GetScorecard answers FAILED_PRECONDITION with it.
alter table evaluation_state add column refused_reason text;
