package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"forma.dev/backend/internal/apperr"
)

// Delivery is one event on its way to one endpoint, with its attempts, newest first.
type Delivery struct {
	ID            int64           `json:"id"`
	EventID       int64           `json:"event_id"`
	MessageID     string          `json:"webhook_id"`
	Type          string          `json:"type"`
	Model         *string         `json:"model"`
	Status        string          `json:"status"`
	AttemptCount  int             `json:"attempt_count"`
	NextAttemptAt *time.Time      `json:"next_attempt_at"` // only while pending or failed
	LastStatus    *int            `json:"last_status"`
	LastError     string          `json:"last_error"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	Payload       json.RawMessage `json:"payload"`
	Attempts      []Attempt       `json:"attempts"`
}

// Attempt is one HTTP request of a delivery.
type Attempt struct {
	At           time.Time `json:"at"`
	StatusCode   *int      `json:"status_code"` // null when no answer came
	LatencyMS    int       `json:"latency_ms"`
	ResponseBody string    `json:"response_body"`
	Error        string    `json:"error"`
}

const deliveryColumns = `d.id, d.event_id, e.type, e.model, d.status, d.attempts,
	CASE WHEN d.status IN ('pending', 'failed') THEN d.next_attempt_at END, d.last_status, d.last_error,
	d.created_at, d.updated_at, e.payload::text`

// Deliveries lists a subscription's deliveries, newest first, with ids below before (0:
// from the newest); next is the before of the following page (0 when none).
func (s *Service) Deliveries(ctx context.Context, tenantID, subID, before int64, limit int) (out []Delivery, next int64, err error) {
	if _, err := s.Get(ctx, tenantID, subID); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryColumns+`
		FROM forma.webhook_deliveries d JOIN forma.webhook_events e ON e.id = d.event_id
		WHERE d.subscription_id = $1 AND ($2 = 0 OR d.id < $2) ORDER BY d.id DESC LIMIT $3`, subID, before, limit+1)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, ids, byID := []Delivery{}, []int64{}, map[int64]int{}
	for rows.Next() {
		var d Delivery
		var payload string
		if err := rows.Scan(&d.ID, &d.EventID, &d.Type, &d.Model, &d.Status, &d.AttemptCount, &d.NextAttemptAt,
			&d.LastStatus, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &payload); err != nil {
			return nil, 0, err
		}
		d.MessageID, d.Payload, d.Attempts = MessageID(d.EventID), json.RawMessage(payload), []Attempt{}
		byID[d.ID] = len(out)
		out, ids = append(out, d), append(ids, d.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) > limit {
		out, ids = out[:limit], ids[:limit]
		next = out[limit-1].ID
	}
	return out, next, s.attachAttempts(ctx, out, ids, byID)
}

// attachAttempts reads the attempts of the listed deliveries in one query.
func (s *Service) attachAttempts(ctx context.Context, out []Delivery, ids []int64, byID map[int64]int) error {
	rows, err := s.db.QueryContext(ctx, `SELECT delivery_id, at, status_code, latency_ms, response_body, error
		FROM forma.webhook_attempts WHERE delivery_id = ANY ($1) ORDER BY id DESC`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a Attempt
		if err := rows.Scan(&id, &a.At, &a.StatusCode, &a.LatencyMS, &a.ResponseBody, &a.Error); err != nil {
			return err
		}
		d := &out[byID[id]]
		d.Attempts = append(d.Attempts, a)
	}
	return rows.Err()
}

// Redeliver queues the event of a delivery again to the same endpoint, as a new
// delivery with the same webhook-id, and returns it.
func (s *Service) Redeliver(ctx context.Context, tenantID, subID, deliveryID int64) (Delivery, error) {
	sub, err := s.Get(ctx, tenantID, subID)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Enabled {
		return Delivery{}, apperr.New(apperr.Conflict, "the webhook is disabled; enable it before redelivering")
	}
	var d Delivery
	var payload string
	err = s.db.QueryRowContext(ctx, `WITH n AS (
		INSERT INTO forma.webhook_deliveries (event_id, subscription_id, ordering_key)
		SELECT event_id, subscription_id, ordering_key FROM forma.webhook_deliveries WHERE id = $2 AND subscription_id = $1
		RETURNING *
	), wake AS (SELECT pg_notify('`+notifyChannel+`', '') FROM n)
	SELECT `+deliveryColumns+`, (SELECT count(*) FROM wake) FROM n AS d JOIN forma.webhook_events e ON e.id = d.event_id`,
		subID, deliveryID).Scan(&d.ID, &d.EventID, &d.Type, &d.Model, &d.Status, &d.AttemptCount, &d.NextAttemptAt,
		&d.LastStatus, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &payload, new(int64))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, apperr.New(apperr.NotFound, "no such delivery")
		}
		return d, err
	}
	d.MessageID, d.Payload, d.Attempts = MessageID(d.EventID), json.RawMessage(payload), []Attempt{}
	s.kick()
	return d, nil
}
