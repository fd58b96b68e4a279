-- A reviewer's 不予认可 of a declared value, and its withdrawal, are judgments like the others:
-- stored in order with their author and reason, and what they replace.
alter table judgments drop constraint if exists judgments_kind_check;
alter table judgments add constraint judgments_kind_check
    check (kind in ('assessment', 'override', 'deduction', 'deviation-note', 'refusal', 'refusal-withdrawal'));
