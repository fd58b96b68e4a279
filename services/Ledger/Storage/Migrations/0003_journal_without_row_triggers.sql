-- Bulk ingest: a foreign key costs a trigger and an index probe per inserted row (three per
-- journal line, two per entry), which was most of the time of a 10,000-line COPY. The ledger
-- guarantees these references itself, inside the posting transaction: the evaluation row is
-- locked (and created) before any entry of it is written, every account code is validated
-- against the chart (which only grows), lines are written with their entry in the same
-- transaction, and ReverseEntry reads the entry it reverses under the same lock.
alter table journal_lines drop constraint journal_lines_entry_id_fkey;
alter table journal_lines drop constraint journal_lines_account_code_fkey;
alter table journal_entries drop constraint journal_entries_subject_id_fiscal_year_fkey;
alter table journal_entries drop constraint journal_entries_reverses_entry_id_fkey;

-- Nothing reads the journal by version (metrics as of a version read balance_versions), so this
-- index only cost maintenance on every ingested entry.
drop index journal_entries_version;
