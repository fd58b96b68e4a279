-- The AIP-155 request-id store shared by every service (PerfEval.Storage.RequestIds): the first
-- answer to each request id, the hash of the request it answered, and who asked when. The table may
-- exist already in the ledger's and scoring's databases, created there before this store was shared.
create table if not exists request_ids (
    request_id    text        primary key,
    request_hash  bytea       not null,
    response      bytea       not null,
    caller        text        not null default '',
    created_at    timestamptz not null default now()
);
