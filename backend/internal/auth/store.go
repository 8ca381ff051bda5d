package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
)

// MaxKeyNameLen is the longest key name accepted, in bytes.
const MaxKeyNameLen = 100

// Key is a stored tenant key, without its secret.
type Key struct {
	bun.BaseModel `bun:"table:forma.keys,alias:k"`

	ID         int64      `bun:"id,pk,autoincrement"`
	TenantID   int64      `bun:"tenant_id,nullzero"`
	Name       string     `bun:"name"`
	Role       Role       `bun:"role"`
	LookupID   string     `bun:"lookup_id"`
	Hash       []byte     `bun:"hash"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

// Prefix is the non-secret start of the key, safe to show: fk_<lookup id>.
func (k Key) Prefix() string { return KeyPrefix + k.LookupID }

// Principal is who a request authenticated as.
type Principal struct {
	Platform bool  // the FORMA_ADMIN_KEY; no tenant
	KeyID    int64 // the tenant key's id; 0 for an end-user token
	Role     Role  // the key's or token's role: built-in or one of the tenant's custom roles
	// Claims are a token's verified claims, the caller's $auth variables; nil for a key,
	// whose only variable is sub (Vars).
	Claims map[string]any
	// Tenant is the key's tenant, read with the key (and cached with it) so that a
	// request needs no second lookup.
	Tenant KeyTenant
}

// Vars returns the caller's $auth variables: a token's claims, or {"sub": "key:<id>"}
// for a key.
func (p Principal) Vars() map[string]any {
	if p.Claims != nil {
		return p.Claims
	}
	return map[string]any{"sub": "key:" + strconv.FormatInt(p.KeyID, 10)}
}

// KeyTenant is the row of forma.tenants a tenant key belongs to.
type KeyTenant struct {
	tenantref.Ref
	Slug      string
	Name      string
	CreatedAt time.Time
	// Limits is the tenant's own limits (0: the default), read with the key so that the
	// hot path needs no query for them; a change of them drops the tenant's cached keys
	// on every replica (ForgetTenant).
	Limits limits.Set
}

// Store keeps tenant keys in forma.keys.
type Store struct {
	db    *bun.DB
	cache *keyCache
	bus   *bus // nil without Redis: other replicas forget within the cache TTL

	// forgotten hears of every tenant whose keys this replica forgets (0: every
	// tenant), so that what is cached beside the keys (end-user tokens) goes with them.
	forgotten []func(tenantID int64)

	stop context.CancelFunc // ends the sweep (sweep.go) and the subscriber
	done chan struct{}      // closed when the sweep has ended
}

// CachedKeys is how many keys this replica has cached now (the gauge
// forma_key_cache_entries).
func (s *Store) CachedKeys() int { return s.cache.len() }

// NewStore returns a store on db that trusts a key lookup for cacheTTL (0: no cache).
// With WithRedis, a revocation or a tenant deletion reaches every replica's cache at
// once; call Start to listen and Close when done.
func NewStore(db *bun.DB, cacheTTL time.Duration, opts ...Option) *Store {
	s := &Store{db: db, cache: newKeyCache(cacheTTL)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Create makes a key for tenantID and returns it with its plain text, which is never
// stored and cannot be shown again.
func (s *Store) Create(ctx context.Context, tenantID int64, name string, role Role) (Key, string, error) {
	return s.CreateIn(ctx, s.db, tenantID, name, role)
}

// CreateIn is Create through idb, e.g. a transaction that also creates the tenant.
func (s *Store) CreateIn(ctx context.Context, idb bun.IDB, tenantID int64, name string, role Role) (Key, string, error) {
	var probs problem.List
	switch {
	case name == "":
		probs.Add("name", problem.Required, nil)
	case len(name) > MaxKeyNameLen:
		probs.Add("name", problem.TooLong, map[string]any{"max": MaxKeyNameLen})
	default:
		CheckText(&probs, "name", name)
	}
	if !role.BuiltIn() && len(access.CheckName(string(role))) > 0 {
		return Key{}, "", badRole(ctx, idb, tenantID, probs)
	}
	if len(probs) > 0 {
		return Key{}, "", apperr.Validation("the key is not valid", probs)
	}
	secret, err := NewSecret()
	if err != nil {
		return Key{}, "", err
	}
	k := Key{TenantID: tenantID, Name: name, Role: role, LookupID: secret.LookupID, Hash: secret.Hash}
	if role.BuiltIn() {
		_, err = idb.NewInsert().Model(&k).Returning("id, created_at").Exec(ctx)
	} else {
		// A custom role must exist; its row is locked until the key commits, so that the
		// role's deletion (which counts the keys holding it) waits for the key.
		err = idb.NewRaw(`WITH r AS (SELECT 1 FROM forma.roles WHERE tenant_id = ? AND name = ? FOR KEY SHARE)
			INSERT INTO forma.keys (tenant_id, name, role, lookup_id, hash) SELECT ?, ?, ?, ?, ? FROM r
			RETURNING id, created_at`, tenantID, role, tenantID, name, role, k.LookupID, k.Hash).Scan(ctx, &k.ID, &k.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return Key{}, "", badRole(ctx, idb, tenantID, probs)
		}
	}
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			// The tenant is gone: the request came with a key this replica still had
			// cached. Forget them, and answer as for any key of a deleted tenant.
			s.ForgetTenant(ctx, tenantID)
			return Key{}, "", &apperr.Error{Code: apperr.Unauthorized, Detail: invalidKeyDetail, Err: err}
		}
		return Key{}, "", err
	}
	return k, secret.Plain, nil
}

// badRole is the answer to a key whose role is neither built in nor one of the tenant's
// custom roles: the problems found so far, and the roles it may hold.
func badRole(ctx context.Context, idb bun.IDB, tenantID int64, probs problem.List) error {
	choices := append([]string{}, access.BuiltIn...)
	var custom []string
	if err := idb.NewRaw(`SELECT name FROM forma.roles WHERE tenant_id = ? ORDER BY name COLLATE "C"`, tenantID).
		Scan(ctx, &custom); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	probs.Add("role", problem.Choice, map[string]any{"choices": append(choices, custom...)})
	return apperr.Validation("the key is not valid", probs)
}

// List returns the tenant's keys that are not revoked, oldest first.
func (s *Store) List(ctx context.Context, tenantID int64) ([]Key, error) {
	keys := []Key{}
	err := s.db.NewSelect().Model(&keys).
		Where("k.tenant_id = ?", tenantID).Where("k.revoked_at IS NULL").
		OrderExpr("k.id").Scan(ctx)
	return keys, err
}

// Revoke revokes the tenant's key id at once. It refuses to revoke the tenant's last
// admin key, which would lock the tenant out.
func (s *Store) Revoke(ctx context.Context, tenantID, id int64) error {
	var lookup string
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Serialise key changes of one tenant so two revokes cannot remove the last admin.
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM forma.tenants WHERE id = ? FOR UPDATE", tenantID); err != nil {
			return err
		}
		var k Key
		err := tx.NewSelect().Model(&k).
			Where("k.id = ? AND k.tenant_id = ? AND k.revoked_at IS NULL", id, tenantID).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "no such key")
		} else if err != nil {
			return err
		}
		if k.Role == Admin {
			n, err := tx.NewSelect().Model((*Key)(nil)).
				Where("k.tenant_id = ? AND k.role = ? AND k.revoked_at IS NULL", tenantID, Admin).Count(ctx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return apperr.New(apperr.Conflict, "this is the tenant's last admin key; create another admin key first")
			}
		}
		lookup = k.LookupID
		_, err = tx.NewUpdate().Model(&k).Set("revoked_at = now()").WherePK().Exec(ctx)
		return err
	})
	if err == nil {
		s.cache.drop(lookup) // after the commit, so no lookup can cache the old row again
		s.publish(ctx, notice{Lookup: lookup})
	}
	return err
}

// keyColumns are a live key's columns with its tenant's, as scanKey reads them.
const keyColumns = `k.id, k.tenant_id, k.role, k.hash, t.slug, t.name, t.schema_name, t.created_at, t.limits
FROM forma.keys AS k JOIN forma.tenants AS t ON t.id = k.tenant_id`

// keyLookupSQL reads a live key with its tenant in one statement.
const keyLookupSQL = `SELECT ` + keyColumns + `
WHERE k.lookup_id = ? AND k.revoked_at IS NULL`

// scanKey reads keyColumns, after the columns in before.
func scanKey(row interface{ Scan(...any) error }, before ...any) (cachedKey, error) {
	var k cachedKey
	p := &k.principal
	err := row.Scan(append(before, &p.KeyID, &p.Tenant.ID, &p.Role, &k.hash,
		&p.Tenant.Slug, &p.Tenant.Name, &p.Tenant.Schema, &p.Tenant.CreatedAt, &p.Tenant.Limits)...)
	return k, err
}

// Authenticate returns the principal of a presented tenant key, with its tenant, or an
// Unauthorized error when the key is malformed, unknown, revoked or wrong.
func (s *Store) Authenticate(ctx context.Context, plain string) (Principal, error) {
	lookup, ok := LookupID(plain)
	if !ok {
		return Principal{}, errInvalidKey()
	}
	now := time.Now()
	c, ok, gen := s.cache.get(lookup, now)
	if ok {
		if !Matches(plain, c.hash) {
			return Principal{}, errInvalidKey()
		}
		return c.principal, nil
	}
	k, err := scanKey(s.db.QueryRowContext(ctx, keyLookupSQL, lookup))
	p, hash := k.principal, k.hash
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, errInvalidKey()
	} else if err != nil {
		return Principal{}, err
	}
	// The row is cached whether or not the secret matches: more wrong secrets for a
	// real lookup id then cost a hash each, not a query.
	s.cache.put(lookup, hash, p, now, gen)
	if !Matches(plain, hash) {
		return Principal{}, errInvalidKey()
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE forma.keys SET last_used_at = now() WHERE id = ?", p.KeyID); err != nil {
		return Principal{}, err
	}
	return p, nil
}

// invalidKeyDetail is the detail of every Unauthorized answer to a tenant key.
const invalidKeyDetail = "the API key is not valid"

// errInvalidKey is the one answer for a key that is malformed, unknown, revoked or wrong.
func errInvalidKey() error { return apperr.New(apperr.Unauthorized, invalidKeyDetail) }

// ForgetTenant drops the cached keys of a tenant, with the tenant cached beside them,
// e.g. after deleting it or changing its limits: on this replica at once, and on the others through Redis
// (within the cache TTL when Redis is down or absent).
func (s *Store) ForgetTenant(ctx context.Context, tenantID int64) {
	s.cache.dropTenant(tenantID)
	s.forgot(tenantID)
	s.publish(ctx, notice{Tenant: tenantID})
}

// OnForget makes f hear of every tenant whose keys this replica forgets, through
// ForgetTenant here or a notice from another replica; 0 is every tenant (the notices
// may have been lost). Call it before Start.
func (s *Store) OnForget(f func(tenantID int64)) { s.forgotten = append(s.forgotten, f) }

func (s *Store) forgot(tenantID int64) {
	for _, f := range s.forgotten {
		f(tenantID)
	}
}
