package tokens

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/webhooks"
)

// Bounds of a key set and of how it is fetched.
const (
	maxJWKSBytes = 1 << 20
	maxJWKSKeys  = 100
	jwksTimeout  = 5 * time.Second
	// jwksMaxAge is how long a key set is used before it is fetched again; a failed
	// fetch keeps the old one.
	jwksMaxAge = time.Hour
	// DefaultRefetch is how often a token with an unknown kid may make a tenant's key
	// set be fetched again: a key rotated in is found at once, a flood of made-up kids
	// costs the key set's host one request per interval.
	DefaultRefetch = 10 * time.Second
)

// jwk is a usable key of a key set with the one algorithm it verifies.
type jwk struct {
	id  string
	alg string
	key any
}

// keySnapshot is a key set as fetched once; never changed after.
type keySnapshot struct {
	keys    []jwk
	fetched time.Time
}

// find returns the key a token names by kid, or the one key of alg when it names none.
func (k *keySnapshot) find(kid, alg string) (jwk, bool) {
	var found jwk
	n := 0
	for _, key := range k.keys {
		if kid != "" && key.id == kid || kid == "" && key.alg == alg {
			found = key
			n++
		}
	}
	return found, n == 1
}

// keySet is a tenant's key set: the last snapshot fetched from url.
type keySet struct {
	tenantID  int64
	url       string
	snap      atomic.Pointer[keySnapshot]
	mu        sync.Mutex    // guards attempted and fetching; never held during a fetch
	attempted time.Time     // when the last fetch began
	fetching  chan struct{} // closed when the running fetch ends; nil when none runs
}

// fetchError is why a key set could not be fetched, as the settings' problem says it.
type fetchError struct {
	reason string
	err    error
}

func (e *fetchError) Error() string {
	if e.err != nil {
		return e.reason + ": " + e.err.Error()
	}
	return e.reason
}

func (e *fetchError) Unwrap() error { return e.err }

// fetchKeys fetches and reads a key set through client (the webhook client: no private
// addresses unless allowed, no redirects, no proxy).
func fetchKeys(ctx context.Context, client *http.Client, url string) (*keySnapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &fetchError{reason: "is not a URL that can be fetched", err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if errors.Is(err, webhooks.ErrForbiddenAddress) {
		return nil, &fetchError{reason: "leads to an address that is not public", err: err}
	} else if err != nil {
		return nil, &fetchError{reason: "could not be fetched", err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &fetchError{reason: fmt.Sprintf("answered HTTP %d, not 200", resp.StatusCode)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, &fetchError{reason: "could not be read", err: err}
	}
	if len(body) > maxJWKSBytes {
		return nil, &fetchError{reason: "is larger than 1 MiB"}
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil || set.Keys == nil {
		return nil, &fetchError{reason: "is not a JSON Web Key Set ({\"keys\": [...]})", err: err}
	}
	snap := &keySnapshot{fetched: time.Now()}
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		// A key Forma cannot use (another kind, an encryption key, a private or
		// symmetric one) is passed over: a key set may hold keys for other purposes.
		if k.UnmarshalJSON(raw) != nil || !k.IsPublic() || k.Use == "enc" {
			continue
		}
		if alg := keyAlgorithm(k); alg != "" && len(snap.keys) < maxJWKSKeys {
			snap.keys = append(snap.keys, jwk{id: k.KeyID, alg: alg, key: k.Key})
		}
	}
	if len(snap.keys) == 0 {
		return nil, &fetchError{reason: "holds no public key Forma verifies with (RS256, ES256 on P-256, EdDSA)"}
	}
	return snap, nil
}

// keySet returns the tenant's key set as last fetched. One never fetched is fetched,
// the caller waiting for it (at most until ctx ends); one older than jwksMaxAge is
// fetched again in the background while this request and every other go on with it.
func (s *Service) keySet(ctx context.Context, tenantID int64, url string) (*keySet, *keySnapshot, error) {
	s.mu.Lock()
	ks, ok := s.keySets.Get(tenantID)
	if !ok || ks.url != url {
		ks = &keySet{tenantID: tenantID, url: url}
		s.keySets.Put(tenantID, ks)
	}
	s.mu.Unlock()
	snap := ks.snap.Load()
	if snap == nil || time.Since(snap.fetched) > s.keySetMaxAge() {
		snap = s.refetch(ctx, ks, snap, snap == nil)
	}
	if snap == nil {
		return nil, nil, &apperr.Error{Code: apperr.Unavailable, RetryAfter: s.refetchEvery(),
			Detail: "the tenant's key set (jwks_url) could not be fetched; try again"}
	}
	return ks, snap, nil
}

// refetch starts a fetch of ks unless the set changed since seen was read, a fetch is
// running already (it is joined), or one began less than the refetch interval ago (so
// a key set host that is down is not asked by every request). The fetch runs on its own
// goroutine, bounded by jwksTimeout, with no lock held: no request waits behind another
// one's fetch unless it needs the result. With wait, the caller waits for the fetch, at
// most until ctx ends; without, it goes on with seen at once. It returns the newest
// snapshot it has.
func (s *Service) refetch(ctx context.Context, ks *keySet, seen *keySnapshot, wait bool) *keySnapshot {
	ks.mu.Lock()
	if cur := ks.snap.Load(); cur != seen {
		ks.mu.Unlock()
		return cur
	}
	done := ks.fetching
	if done == nil {
		if !ks.attempted.IsZero() && time.Since(ks.attempted) < s.refetchEvery() {
			ks.mu.Unlock()
			return seen
		}
		ks.attempted = time.Now()
		done = make(chan struct{})
		ks.fetching = done
		go s.fetch(context.WithoutCancel(ctx), ks, seen, done)
	}
	ks.mu.Unlock()
	if !wait {
		return seen
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
	return ks.snap.Load()
}

// fetch fetches ks, stores the snapshot and, when keys left the set, drops the tenant's
// cached tokens; it closes done at the end.
func (s *Service) fetch(ctx context.Context, ks *keySet, seen *keySnapshot, done chan struct{}) {
	defer func() {
		ks.mu.Lock()
		ks.fetching = nil
		ks.mu.Unlock()
		close(done)
	}()
	s.fetches.Add(1)
	snap, err := fetchKeys(ctx, s.Client, ks.url)
	if err != nil {
		s.log.WarnContext(ctx, "tokens: fetching a tenant's key set failed", "url", ks.url, "err", err)
		return
	}
	ks.snap.Store(snap)
	if seen != nil && !sameKeys(seen, snap) {
		// A key taken out of the set may have been taken out for a reason: the tokens
		// it signed are verified again.
		s.mu.Lock()
		s.gen++
		s.tokens.RemoveFunc(func(_ [32]byte, t *cachedToken) bool { return t.tenantID == ks.tenantID })
		s.mu.Unlock()
	}
}

// sameKeys reports whether b holds every key of a, by kid, algorithm and key.
func sameKeys(a, b *keySnapshot) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	for _, k := range a.keys {
		if !slices.ContainsFunc(b.keys, func(l jwk) bool {
			e, ok := l.key.(equaler)
			return l.id == k.id && l.alg == k.alg && ok && e.Equal(k.key)
		}) {
			return false
		}
	}
	return true
}

// jwksKey returns the key of a tenant's key set that a token with kid and alg names,
// fetching the set again (at most once per refetch interval) when it names none: the
// token waits for that fetch, at most until its request's ctx ends.
func (s *Service) jwksKey(ctx context.Context, tenantID int64, url, kid, alg string) (jwk, error) {
	ks, snap, err := s.keySet(ctx, tenantID, url)
	if err != nil {
		return jwk{}, err
	}
	k, ok := snap.find(kid, alg)
	if !ok {
		if next := s.refetch(ctx, ks, snap, true); next != snap && next != nil {
			k, ok = next.find(kid, alg)
		}
	}
	if !ok {
		return jwk{}, fail(apperr.TokenUnknownKey, "the token's kid names no key of the tenant's key set")
	}
	if k.alg != alg {
		return jwk{}, fail(apperr.TokenBadAlgorithm, "the token is not signed with the algorithm of its key")
	}
	return k, nil
}
