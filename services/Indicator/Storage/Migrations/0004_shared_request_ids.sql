-- The indicator kept its own request-id table; every service now shares request_ids
-- (PerfEval.Storage). The ids move there, so they stay taken and their callers stay on record.
-- Their hashes were of another form (hex of the request alone), so a retry of a request answered
-- before this migration is refused as a reuse of its id rather than replayed.
insert into request_ids (request_id, request_hash, response, caller, created_at)
select request_id, decode(request_hash, 'hex'), response, caller, created_at from requests
on conflict (request_id) do nothing;

drop table requests;
