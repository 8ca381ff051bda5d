-- 0009_change_feeds: the change streams' log (docs/realtime.md). A (tenant, model) has
-- its record changes logged only while it has a feed: a lease that replicas holding
-- open streams of it refresh, lasting the resume window after the last stream closed.
-- since is the position from which the log of the feed is whole: a client resuming from
-- an older one is told to reload. started is when the lease began (or began again after
-- it lapsed): a stream opened on it waits until every replica's write path must know it.
CREATE TABLE forma.change_feeds (
    tenant_id bigint      NOT NULL REFERENCES forma.tenants (id) ON DELETE CASCADE,
    model     text        NOT NULL,
    until     timestamptz NOT NULL,
    since     bigint      NOT NULL,
    started   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, model)
);

-- One row per record change, written in the change's transaction. id is the event's
-- position: within a (tenant, model) positions follow commit order (an advisory lock per
-- feed is held from drawing the position to commit). record is json, not jsonb: it keeps
-- the key order the API answers with.
CREATE TABLE forma.changes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint      NOT NULL REFERENCES forma.tenants (id) ON DELETE CASCADE,
    model     text        NOT NULL,
    event     text        NOT NULL,
    version   bigint      NOT NULL,
    record    json        NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX changes_feed_idx ON forma.changes (tenant_id, model, id);
CREATE INDEX changes_at_idx ON forma.changes (at);
