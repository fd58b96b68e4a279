-- The transactional outbox shared by every service: a state change and the event announcing it
-- are committed together; OutboxDispatcher publishes the row and marks it once the broker confirms.
create table if not exists outbox (
    id            bigserial   primary key,
    message_id    uuid        not null unique,
    message_type  text        not null,
    subject       text        not null,
    payload       bytea       not null,
    created_at    timestamptz not null default now(),
    published_at  timestamptz
);

create index if not exists outbox_unpublished on outbox (id) where published_at is null;
