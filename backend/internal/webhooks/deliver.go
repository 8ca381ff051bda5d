package webhooks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLoggedBody is how much of a response body an attempt keeps.
const MaxLoggedBody = 1024

// outcome is what one attempt came to.
type outcome struct {
	status     int // 0: no answer
	latency    time.Duration
	body       string
	err        string
	retryAfter time.Duration // from a Retry-After header, 0 when absent
}

// MessageID is the webhook-id of an event: the same for every attempt and endpoint.
func MessageID(eventID int64) string { return "msg_" + strconv.FormatInt(eventID, 10) }

// deliver sends one claimed delivery and records what happened; ok says next is the
// following delivery of the same record, now leased to the caller. A delivery whose
// endpoint was disabled meanwhile is closed without sending.
func (s *Service) deliver(ctx context.Context, j job) (next job, ok bool) {
	if !j.enabled {
		return s.finish(ctx, j, outcome{err: "the endpoint is disabled"}, verdict{status: statusDead})
	}
	o := s.send(ctx, j)
	if ctx.Err() != nil {
		return next, false // stopped mid-delivery: the lease expires and someone retries
	}
	return s.finish(ctx, j, o, s.verdict(j, o))
}

// send makes one signed POST.
func (s *Service) send(ctx context.Context, j job) outcome {
	id := MessageID(j.eventID)
	ts := time.Now().Unix()
	sig, err := Sign(id, ts, j.payload, j.secrets...)
	if err != nil {
		return outcome{err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(j.payload))
	if err != nil {
		return outcome{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Forma-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := s.opts.Client.Do(req)
	o := outcome{latency: time.Since(start)}
	if err != nil {
		o.err = truncate(err.Error())
		return o
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxLoggedBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	o.latency = time.Since(start)
	o.status, o.body = resp.StatusCode, truncate(string(b))
	o.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return o
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// truncate keeps at most MaxLoggedBody bytes of valid UTF-8 (Postgres text rejects
// invalid sequences and NUL).
func truncate(s string) string {
	if len(s) > MaxLoggedBody {
		s = s[:MaxLoggedBody]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	for len(s) > MaxLoggedBody {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return strings.ReplaceAll(s, "\x00", "")
}
