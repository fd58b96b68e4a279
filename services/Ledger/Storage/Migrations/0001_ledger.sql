-- Reference data and the journal of the ledger service.

-- GB/T 2260 administrative divisions as a tree (province → city → county).
create table regions (
    code         char(6) primary key,
    name         text    not null,
    parent_code  char(6) references regions (code)
);

insert into regions (code, name, parent_code) values
    ('650000', '新疆维吾尔自治区', null),
    ('653100', '喀什地区', '650000'),
    ('653129', '伽师县', '653100'),
    ('340000', '安徽省', null),
    ('340600', '淮北市', '340000'),
    ('430000', '湖南省', null),
    ('430900', '益阳市', '430000'),
    ('430922', '桃江县', '430900');

-- Chart of accounts. account_class and normal_side use the numbers of the proto enums
-- AccountClass and Side (1 = debit, 2 = credit).
create table accounts (
    code           text     primary key,
    name           text     not null,
    account_class  smallint not null,
    normal_side    smallint not null check (normal_side in (1, 2))
);

insert into accounts (code, name, account_class, normal_side) values
    ('1002', '收入户存款', 1, 1),
    ('1003', '支出户存款', 1, 1),
    ('1004', '财政专户存款', 1, 1),
    ('3001', '基金结余', 3, 2),
    ('4001', '基本医疗保险费收入', 4, 2),
    ('4002', '财政补贴收入', 4, 2),
    ('4004', '利息收入', 4, 2),
    ('4009', '其他收入', 4, 2),
    ('5001', '基本医疗保险待遇支出', 5, 1),
    ('5004', '上解上级支出', 5, 1),
    ('5009', '其他支出', 5, 1);

create table evaluation_subjects (
    id            bigserial primary key,
    region_code   char(6)   not null references regions (code),
    subject_code  text      not null,
    kind          smallint  not null,
    name          text      not null,
    created_at    timestamptz not null default now(),
    unique (region_code, subject_code)
);

-- One row per evaluation (subject + year); its row lock serializes writes to the evaluation and
-- ledger_version counts the changes that were committed.
create table evaluations (
    subject_id      bigint  not null references evaluation_subjects (id),
    fiscal_year     int     not null,
    ledger_version  bigint  not null default 0,
    primary key (subject_id, fiscal_year)
);

-- Append-only: no update or delete is ever issued against the journal.
create table journal_entries (
    entry_id         text        primary key,
    subject_id       bigint      not null,
    fiscal_year      int         not null,
    ledger_version   bigint      not null,
    posting_date     date        not null,
    document_number  text        not null,
    memo             text        not null,
    content_hash     bytea       not null,
    created_at       timestamptz not null default now(),
    foreign key (subject_id, fiscal_year) references evaluations (subject_id, fiscal_year)
);

create table journal_lines (
    entry_id      text     not null references journal_entries (entry_id),
    line_no       int      not null,
    account_code  text     not null references accounts (code),
    side          smallint not null check (side in (1, 2)),
    amount_fen    bigint   not null check (amount_fen > 0),
    primary key (entry_id, line_no)
);

-- Running balances, maintained in the posting transaction so reads never scan the journal.
create table balances (
    subject_id    bigint not null,
    fiscal_year   int    not null,
    account_code  text   not null references accounts (code),
    debit_fen     bigint not null default 0,
    credit_fen    bigint not null default 0,
    budget_fen    bigint,
    primary key (subject_id, fiscal_year, account_code),
    foreign key (subject_id, fiscal_year) references evaluations (subject_id, fiscal_year)
);

create table budget_changes (
    id              bigserial   primary key,
    subject_id      bigint      not null,
    fiscal_year     int         not null,
    account_code    text        not null references accounts (code),
    budget_fen      bigint      not null check (budget_fen >= 0),
    reason          text        not null,
    ledger_version  bigint      not null,
    created_at      timestamptz not null default now()
);

-- AIP-155 request ids of non-journal writes: the shared request_ids table (PerfEval.Storage).
