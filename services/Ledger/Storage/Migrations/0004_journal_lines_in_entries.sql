-- Bulk ingest, second step: an entry's lines live in its own row, as three parallel arrays.
--
-- Why: a journal entry is written once, never changed, and always read whole (ReverseEntry,
-- audits); nothing reads one line by itself, and every money figure comes from the running
-- balances, not from the journal. As a separate table, each 10,000-line chunk wrote 15,000 rows
-- into two tables and two text-keyed primary-key indexes; with the lines in the entry it writes
-- 5,000 rows and one index. The line-level view of the journal stays available to people and
-- reports as the view journal_lines below, with the same columns as the table it replaces.
alter table journal_entries
    add column line_accounts    text[],
    add column line_sides       smallint[],
    add column line_amounts_fen bigint[];

update journal_entries e
set line_accounts    = l.accounts,
    line_sides       = l.sides,
    line_amounts_fen = l.amounts
from (
    select entry_id,
           array_agg(account_code order by line_no) as accounts,
           array_agg(side order by line_no)         as sides,
           array_agg(amount_fen order by line_no)   as amounts
    from journal_lines
    group by entry_id
) l
where l.entry_id = e.entry_id;

-- The checks the line table had, now per array (evaluated per entry row, no index involved).
alter table journal_entries
    alter column line_accounts    set not null,
    alter column line_sides       set not null,
    alter column line_amounts_fen set not null,
    add constraint journal_entries_lines_shape check (
        cardinality(line_accounts) >= 2
        and cardinality(line_sides) = cardinality(line_accounts)
        and cardinality(line_amounts_fen) = cardinality(line_accounts)),
    add constraint journal_entries_line_sides check (line_sides <@ array[1, 2]::smallint[]),
    add constraint journal_entries_line_amounts check (0 < all (line_amounts_fen));

drop table journal_lines;

create view journal_lines as
select e.entry_id,
       (l.ordinality - 1)::int as line_no,
       l.account_code,
       l.side,
       l.amount_fen
from journal_entries e
cross join lateral unnest(e.line_accounts, e.line_sides, e.line_amounts_fen)
    with ordinality as l (account_code, side, amount_fen, ordinality);
