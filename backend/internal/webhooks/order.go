package webhooks

import "database/sql"

// The events of one record (and a tenant's schema.changed events) reach each endpoint
// in order: a delivery is sent only once every earlier delivery with the same
// subscription and ordering_key is finished. The rule lives in the database, so it holds
// across replicas:
//   - claimSQL takes the oldest due delivery; when an unfinished one is ahead of it, it
//     does not send it but parks it (moves its next_attempt_at) behind that one, so a
//     backlog behind a failing delivery is looked at once per retry, not on every claim;
//   - finishing a delivery (succeeded or dead) hands the next one of its record straight
//     to the same worker, leased, so a record's events follow each other without waiting
//     for a poll, and a claim that decided on an older snapshot skips it (no longer due).

// claimSQL takes the oldest due delivery nobody holds. With nothing unfinished ahead of
// it, it is leased: next_attempt_at moves past the lease, so if this replica dies the
// delivery is due again then and another replica retries it (at least once). Otherwise
// it is parked until the delivery ahead is next tried; when that one may be in flight
// (claimed more often than finished) only for $2 (the poll interval), since its hand-off
// may miss a delivery that committed meanwhile. The first column says which happened.
const claimSQL = `WITH c AS (
	SELECT id, subscription_id, ordering_key FROM forma.webhook_deliveries
	WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
	ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED
), h AS (
	SELECT c.id, p.next_attempt_at AS next, p.lease > p.attempts AS busy FROM c LEFT JOIN LATERAL (
		SELECT next_attempt_at, lease, attempts FROM forma.webhook_deliveries p
		WHERE p.subscription_id = c.subscription_id AND p.ordering_key = c.ordering_key AND p.id < c.id
			AND p.status IN ('pending', 'failed')
		ORDER BY p.id LIMIT 1
	) p ON true
), park AS (
	UPDATE forma.webhook_deliveries w SET next_attempt_at = GREATEST(now(),
		CASE WHEN h.busy THEN LEAST(h.next, now() + $2 * interval '1 microsecond') ELSE h.next END)
	FROM h WHERE w.id = h.id AND h.next IS NOT NULL
	RETURNING w.id
), d AS (
	UPDATE forma.webhook_deliveries w SET lease = w.lease + 1,
		next_attempt_at = now() + $1 * interval '1 microsecond'
	FROM h WHERE w.id = h.id AND h.next IS NULL
	RETURNING w.id, w.lease, w.event_id, w.subscription_id, w.attempts
)
SELECT false, ` + jobColumns + ` FROM d AS ` + jobFrom + `
UNION ALL SELECT true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM park`

// handOff is the CTE that leases the next unfinished delivery of the record of d (the
// delivery just finished, with its new status) to the finishing worker; $9 is the lease.
// Its UPDATE waits for a claim holding that row, so a park never hides it.
const handOff = `n AS (
	UPDATE forma.webhook_deliveries w SET lease = w.lease + 1,
		next_attempt_at = now() + $9 * interval '1 microsecond'
	FROM d WHERE d.status IN ('succeeded', 'dead') AND w.status IN ('pending', 'failed') AND w.id = (
		SELECT q.id FROM forma.webhook_deliveries q
		WHERE q.subscription_id = d.subscription_id AND q.ordering_key = d.ordering_key AND q.id > d.id
			AND q.status IN ('pending', 'failed')
		ORDER BY q.id LIMIT 1)
	RETURNING w.id, w.lease, w.event_id, w.subscription_id, w.attempts
)`

// jobColumns read a leased delivery, named j after "FROM <cte> AS " + jobFrom, with what
// sending it needs.
const (
	jobColumns = `j.id, j.lease, j.event_id, j.subscription_id, j.attempts, e.payload::text, s.url, s.enabled,
	s.secret, CASE WHEN s.previous_expires_at > now() THEN s.previous_secret ELSE '' END`
	jobFrom = `j JOIN forma.webhook_events e ON e.id = j.event_id
	JOIN forma.webhook_subscriptions s ON s.id = j.subscription_id`
)

// nullJob scans jobColumns, which are all NULL when there is no job.
type nullJob struct {
	id, lease, eventID, subID, attempts sql.NullInt64
	payload, url, secret, previous      sql.NullString
	enabled                             sql.NullBool
}

func (n *nullJob) dest() []any {
	return []any{&n.id, &n.lease, &n.eventID, &n.subID, &n.attempts, &n.payload, &n.url, &n.enabled,
		&n.secret, &n.previous}
}

// job returns the scanned job; ok is false when there was none.
func (n *nullJob) job() (j job, ok bool) {
	if !n.id.Valid {
		return j, false
	}
	j = job{id: n.id.Int64, lease: n.lease.Int64, eventID: n.eventID.Int64, subID: n.subID.Int64,
		attempts: int(n.attempts.Int64), payload: []byte(n.payload.String), url: n.url.String,
		enabled: n.enabled.Bool, secrets: []string{n.secret.String}}
	if n.previous.String != "" {
		j.secrets = append(j.secrets, n.previous.String)
	}
	return j, true
}
