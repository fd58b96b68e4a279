-- Issue 3: account groups and charts per subject kind, provincial extensions, budget kinds,
-- reversals, caller identity, closed years, balance history per version, transfer documents,
-- declared figures.

-- Account groups: an account rolls up into its parent; a group row is never posted to.
alter table accounts add column parent_code text references accounts (code);
alter table accounts add column is_group boolean not null default false;
-- Province ("340000") that extended its chart with this account; null for the national chart.
alter table accounts add column province_code char(6);

insert into accounts (code, name, account_class, normal_side, is_group) values
    ('4', '基金收入', 4, 2, true),
    ('5', '基金支出', 5, 1, true);

update accounts set parent_code = '4' where code in ('4001', '4002', '4004', '4009');
update accounts set parent_code = '5' where code in ('5001', '5004', '5009');

insert into accounts (code, name, account_class, normal_side, parent_code) values
    ('1001', '库存现金', 1, 1, null),
    ('2001', '暂收款', 2, 2, null),
    ('2002', '应付待遇', 2, 2, null),
    ('400101', '单位缴费收入', 4, 2, '4001'),
    ('400102', '个人缴费收入', 4, 2, '4001'),
    ('400201', '中央财政补贴收入', 4, 2, '4002'),
    ('400202', '省级财政补贴收入', 4, 2, '4002'),
    ('400203', '市（州）级财政补贴收入', 4, 2, '4002'),
    ('400204', '县级财政补贴收入', 4, 2, '4002'),
    ('4003', '上级补助收入', 4, 2, '4'),
    ('4005', '下级上解收入', 4, 2, '4'),
    ('4006', '转移收入', 4, 2, '4'),
    ('4101', '财政拨款收入', 4, 2, '4'),
    ('4102', '事业收入', 4, 2, '4'),
    ('500101', '住院费用支出', 5, 1, '5001'),
    ('500102', '普通门诊统筹支出', 5, 1, '5001'),
    ('500103', '门诊慢特病支出', 5, 1, '5001'),
    ('500104', '生育医疗费用支出', 5, 1, '5001'),
    ('500105', '生育津贴支出', 5, 1, '5001'),
    ('5002', '大病保险支出', 5, 1, '5'),
    ('5003', '补助下级支出', 5, 1, '5'),
    ('5005', '转移支出', 5, 1, '5'),
    ('5101', '基本支出', 5, 1, '5'),
    ('510101', '工资福利支出', 5, 1, '5101'),
    ('510102', '商品和服务支出（日常公用）', 5, 1, '5101'),
    ('510103', '对个人和家庭的补助', 5, 1, '5101'),
    ('5102', '项目支出', 5, 1, '5');

-- The default chart of each subject kind (SubjectKind numbers); a province's sub-accounts of a
-- chart account belong to the chart of the subjects in that province.
create table account_charts (
    subject_kind  smallint not null,
    account_code  text     not null references accounts (code),
    primary key (subject_kind, account_code)
);

-- Resident (1) and employee (2) funds: the social-insurance fund chart.
insert into account_charts (subject_kind, account_code)
select k, code from accounts, (values (1), (2)) as kinds(k)
where code not in ('4101', '4102', '5101', '510101', '510102', '510103', '5102');
-- Earmarked transfers (3): received from above and spent on the funded projects.
insert into account_charts (subject_kind, account_code)
select 3, code from accounts
where code in ('1001', '1002', '1003', '1004', '2001', '3001', '4', '4002', '400201', '400202', '400203', '400204',
               '4003', '4004', '4009', '5', '5003', '5004', '5009', '5102');
-- Department budget (4) and project (5): 基本支出 and 项目支出 funded by 财政拨款.
insert into account_charts (subject_kind, account_code)
select k, code from accounts, (values (4), (5)) as kinds(k)
where code in ('1001', '1002', '1003', '1004', '2001', '3001', '4', '4101', '4102', '4003', '4004', '4009',
               '5', '5101', '510101', '510102', '510103', '5102', '5009');

-- Who posted an entry, and which entry a reversal reverses (at most one reversal per entry).
alter table journal_entries add column caller text not null default 'anonymous';
alter table journal_entries add column reverses_entry_id text references journal_entries (entry_id);
create unique index journal_entries_reversal on journal_entries (reverses_entry_id) where reverses_entry_id is not null;
create index journal_entries_version on journal_entries (subject_id, fiscal_year, ledger_version);

-- A closed year accepts no postings.
alter table evaluations add column closed_at timestamptz;
alter table evaluations add column carried_balance_fen bigint;

-- Budget steps: 1 年初, 2 调整/追加, 3 全年 (BudgetKind numbers).
alter table budget_changes add column kind smallint not null default 3;
alter table budget_changes add column document_number text not null default '';
alter table budget_changes add column caller text not null default 'anonymous';
create index budget_changes_evaluation on budget_changes (subject_id, fiscal_year, account_code, ledger_version);

-- Running balances after each version that touched an account, so metrics "as of version v"
-- read one row per account instead of scanning the journal.
create table balance_versions (
    subject_id      bigint not null,
    fiscal_year     int    not null,
    account_code    text   not null,
    ledger_version  bigint not null,
    debit_fen       bigint not null,
    credit_fen      bigint not null,
    primary key (subject_id, fiscal_year, account_code, ledger_version)
);

insert into balance_versions (subject_id, fiscal_year, account_code, ledger_version, debit_fen, credit_fen)
select b.subject_id, b.fiscal_year, b.account_code, e.ledger_version, b.debit_fen, b.credit_fen
from balances b join evaluations e using (subject_id, fiscal_year);

-- Transfer-fund documents: kind and level use TransferDocumentKind and FundingLevel numbers.
create table transfer_documents (
    id               bigserial   primary key,
    subject_id       bigint      not null,
    fiscal_year      int         not null,
    kind             smallint    not null,
    level            smallint    not null,
    document_number  text        not null,
    amount_fen       bigint      not null check (amount_fen > 0),
    document_date    date        not null,
    memo             text        not null,
    ledger_version   bigint      not null,
    caller           text        not null,
    created_at       timestamptz not null default now(),
    foreign key (subject_id, fiscal_year) references evaluations (subject_id, fiscal_year)
);
create index transfer_documents_evaluation on transfer_documents (subject_id, fiscal_year, ledger_version);

-- Figures a report declares, kept as filed (a DeclaredFigure message), immutable.
create table declared_figures (
    subject_id    bigint      not null references evaluation_subjects (id),
    fiscal_year   int         not null,
    figure_id     text        not null,
    seq           bigserial,
    payload       bytea       not null,
    caller        text        not null,
    filed_at      timestamptz not null default now(),
    primary key (subject_id, fiscal_year, figure_id)
);
