package tokens

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/lru"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/problem"
)

// Cache bounds; past them the entry used least recently is forgotten.
const (
	maxTenants = 10_000 // tenants' settings, by slug
	maxTokens  = 10_000 // verified tokens, by hash
	maxKeySets = 1_000  // tenants' key sets
)

// Roles tells whether a tenant has a custom role of a name.
type Roles interface {
	HasRole(ctx context.Context, t tenantref.Ref, name string) (bool, error)
}

// Options configures a Service.
type Options struct {
	// Client fetches key sets: the webhook client, so that the SSRF guard (and
	// FORMA_WEBHOOK_ALLOW_PRIVATE) applies to jwks_url as to webhook URLs.
	Client *http.Client
	// Keys, when set, carries every change of a tenant's settings to every replica
	// (its tenant notices), and its notices drop what this service caches of a tenant.
	Keys *auth.Store
	// CacheTTL is how long a replica trusts a tenant's settings it read (FORMA_KEY_CACHE_TTL,
	// as keys): the bound on a change reaching a replica the notices missed. 0: read them
	// for every token, which stays cached by its verification.
	CacheTTL time.Duration
	// Roles tells a tenant's custom roles; nil: it has none.
	Roles  Roles
	Logger *slog.Logger
}

// Service keeps tenants' token settings in forma.tenant_auth and verifies tokens.
type Service struct {
	db   *bun.DB
	keys *auth.Store
	ttl  time.Duration
	log  *slog.Logger
	// Roles tells a tenant's custom roles; nil: none. Set it before serving.
	Roles Roles
	// Client fetches key sets (Options.Client); it may be replaced before serving.
	Client *http.Client

	mu       sync.Mutex
	tenants  *lru.Cache[string, *tenantEntry]   // guarded by mu
	tokens   *lru.Cache[[32]byte, *cachedToken] // guarded by mu
	keySets  *lru.Cache[int64, *keySet]         // guarded by mu
	gen      uint64                             // guarded by mu: counts drops, as in auth's key cache
	interval time.Duration                      // guarded by mu: the refetch interval
	maxAge   time.Duration                      // guarded by mu: how long a key set is used before a refresh

	verified atomic.Uint64 // signatures checked
	fetches  atomic.Uint64 // key set fetches begun on the hot path
}

// New returns the service on db.
func New(db *bun.DB, o Options) *Service {
	s := &Service{db: db, Client: o.Client, keys: o.Keys, ttl: o.CacheTTL, log: o.Logger, Roles: o.Roles,
		tenants: lru.New[string, *tenantEntry](maxTenants), tokens: lru.New[[32]byte, *cachedToken](maxTokens),
		keySets: lru.New[int64, *keySet](maxKeySets), interval: DefaultRefetch, maxAge: jwksMaxAge}
	if s.Client == nil {
		s.Client = http.DefaultClient
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.keys != nil {
		s.keys.OnForget(s.Forget)
	}
	return s
}

// Verified is how many token signatures this replica has checked.
func (s *Service) Verified() uint64 { return s.verified.Load() }

// Fetches is how many times this replica fetched a key set to verify tokens.
func (s *Service) Fetches() uint64 { return s.fetches.Load() }

// CachedTokens is how many verified tokens this replica caches (forma_token_cache_entries).
func (s *Service) CachedTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.Len()
}

// CachedTenants is how many tenants' settings this replica caches.
func (s *Service) CachedTenants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenants.Len()
}

// SetRefetchInterval changes how often an unknown kid may refetch a key set.
func (s *Service) SetRefetchInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = d
}

// SetKeySetMaxAge changes how long a fetched key set is used before it is refreshed
// (an hour; tests shorten it).
func (s *Service) SetKeySetMaxAge(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxAge = d
}

func (s *Service) keySetMaxAge() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxAge
}

func (s *Service) refetchEvery() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interval
}

// Forget drops what this replica caches of a tenant (0: of every tenant).
func (s *Service) Forget(tenantID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if tenantID == 0 {
		s.tenants.Clear()
		s.tokens.Clear()
		return
	}
	s.tenants.RemoveFunc(func(_ string, e *tenantEntry) bool { return e.tenant.ID == tenantID })
	s.tokens.RemoveFunc(func(_ [32]byte, t *cachedToken) bool { return t.tenantID == tenantID })
}

// changed makes every replica forget the tenant's settings and tokens.
func (s *Service) changed(ctx context.Context, tenantID int64) {
	if s.keys != nil {
		s.keys.ForgetTenant(ctx, tenantID) // which calls Forget here too
		return
	}
	s.Forget(tenantID)
}

// View is a tenant's settings as GET shows them.
type View struct {
	Settings
	SecretSet bool `json:"secret_set"`
}

// Get returns the tenant's settings, or nil when it accepts no tokens.
func (s *Service) Get(ctx context.Context, tenantID int64) (*View, error) {
	var raw []byte
	var secretSet bool
	err := s.db.QueryRowContext(ctx, "SELECT jwt, secret IS NOT NULL FROM forma.tenant_auth WHERE tenant_id = ?", tenantID).
		Scan(&raw, &secretSet)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	v := &View{SecretSet: secretSet}
	return v, json.Unmarshal(raw, &v.Settings)
}

// Put replaces the tenant's settings after checking them, the key set at jwks_url
// fetched among the checks (with algorithm, it must hold a key of it) and a custom
// default_role looked up among the tenant's roles (Roles), and returns them as Get
// shows them.
func (s *Service) Put(ctx context.Context, t tenantref.Ref, in Input) (*View, error) {
	tenantID := t.ID
	var kept []byte
	if in.Algorithm == HS256 && in.Secret == "" && in.JWKSURL == "" {
		err := s.db.QueryRowContext(ctx, "SELECT secret FROM forma.tenant_auth WHERE tenant_id = ?", tenantID).Scan(&kept)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	set, secret, probs := check(in, kept)
	if set.JWKSURL != "" && !hasPath(probs, "jwt.jwks_url") {
		snap, err := fetchKeys(ctx, s.Client, set.JWKSURL)
		var fe *fetchError
		switch {
		case errors.As(err, &fe):
			probs.Add("jwt.jwks_url", problem.InvalidValue, map[string]any{"reason": fe.reason})
		case err != nil:
			return nil, err
		case set.Algorithm != "" && !hasPath(probs, "jwt.algorithm") &&
			!slices.ContainsFunc(snap.keys, func(k jwk) bool { return k.alg == set.Algorithm }):
			probs.Add("jwt.jwks_url", problem.InvalidValue, map[string]any{
				"reason": "holds no key of the algorithm " + set.Algorithm + ": no token could be verified"})
		}
	}
	if r := set.DefaultRole; r != "" && !auth.Role(r).BuiltIn() && !hasPath(probs, "jwt.default_role") {
		ok := false
		if s.Roles != nil {
			var err error
			if ok, err = s.Roles.HasRole(ctx, t, r); err != nil {
				return nil, err
			}
		}
		if !ok {
			probs.Add("jwt.default_role", problem.InvalidValue, map[string]any{
				"reason": "is neither a built-in role nor a custom role of the tenant"})
		}
	}
	slices.SortFunc(probs, func(a, b problem.Problem) int { return strings.Compare(a.Path, b.Path) })
	if len(probs) > 0 {
		return nil, apperr.Validation("the token settings are not valid", probs)
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO forma.tenant_auth (tenant_id, jwt, secret) VALUES (?, ?, ?)
ON CONFLICT (tenant_id) DO UPDATE SET jwt = excluded.jwt, secret = excluded.secret, updated_at = now()`,
		tenantID, string(raw), secret)
	if err != nil {
		return nil, err
	}
	s.changed(ctx, tenantID)
	return &View{Settings: set, SecretSet: secret != nil}, nil
}

// Delete turns the tenant's tokens off.
func (s *Service) Delete(ctx context.Context, tenantID int64) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM forma.tenant_auth WHERE tenant_id = ?", tenantID); err != nil {
		return err
	}
	s.changed(ctx, tenantID)
	return nil
}

// tenantEntry is a tenant with its settings, as one replica cached them.
type tenantEntry struct {
	tenant  auth.KeyTenant
	v       *verifier // nil: the tenant accepts no tokens
	version uint64    // of the settings: a token verified under others is verified again
	expires time.Time
}

// verifier is a tenant's settings ready to verify with.
type verifier struct {
	Settings
	key  any                       // the secret or the public key; nil with a key set
	algs []jose.SignatureAlgorithm // what a token may be signed with
}

// newVerifier prepares stored settings; they were checked when stored.
func newVerifier(set Settings, secret []byte) (*verifier, error) {
	v := &verifier{Settings: set}
	switch {
	case set.JWKSURL != "" && set.Algorithm != "":
		v.algs = []jose.SignatureAlgorithm{jose.SignatureAlgorithm(set.Algorithm)}
	case set.JWKSURL != "":
		v.algs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}
	case set.Algorithm == HS256:
		if len(secret) < MinSecretBytes {
			return nil, errors.New("tokens: stored HS256 settings without a secret")
		}
		v.key, v.algs = secret, []jose.SignatureAlgorithm{jose.HS256}
	default:
		key, why := parsePublicKey(set.Algorithm, set.PublicKey)
		if why != "" {
			return nil, errors.New("tokens: stored public key " + why)
		}
		v.key, v.algs = key, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(set.Algorithm)}
	}
	return v, nil
}

// tenantSQL reads a tenant, as a key lookup reads it, with its token settings.
const tenantSQL = `SELECT t.id, t.slug, t.name, t.schema_name, t.created_at, t.limits, a.jwt, a.secret
FROM forma.tenants AS t LEFT JOIN forma.tenant_auth AS a ON a.tenant_id = t.id
WHERE t.slug = ?`

// tenant returns the tenant of slug with its settings, or nil when there is no such
// tenant.
func (s *Service) tenant(ctx context.Context, slug string) (*tenantEntry, error) {
	now := time.Now()
	s.mu.Lock()
	e, ok := s.tenants.Get(slug)
	gen := s.gen
	s.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e, nil
	}
	e = &tenantEntry{expires: now.Add(s.ttl)}
	var raw, secret []byte
	t := &e.tenant
	err := s.db.QueryRowContext(ctx, tenantSQL, slug).
		Scan(&t.ID, &t.Slug, &t.Name, &t.Schema, &t.CreatedAt, &t.Limits, &raw, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if raw != nil {
		var set Settings
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, err
		}
		if e.v, err = newVerifier(set, secret); err != nil {
			return nil, err
		}
		h := sha256.New()
		h.Write(raw)
		h.Write([]byte{0})
		h.Write(secret)
		e.version = binary.BigEndian.Uint64(h.Sum(nil))
	}
	if s.ttl > 0 {
		s.mu.Lock()
		if gen == s.gen {
			s.tenants.Put(slug, e)
		}
		s.mu.Unlock()
	}
	return e, nil
}

func hasPath(probs problem.List, path string) bool {
	return slices.ContainsFunc(probs, func(p problem.Problem) bool { return p.Path == path })
}
