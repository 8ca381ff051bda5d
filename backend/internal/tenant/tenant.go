// Package tenant manages tenants: each owns a Postgres schema t<id>_<slug>, a row in
// forma.tenants and its keys.
package tenant

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"golang.org/x/sync/singleflight"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/lru"
	"forma.dev/shared/problem"
)

// MaxNameLen is the longest display name accepted, in bytes.
const MaxNameLen = 200

// Tenant is one customer of Forma with its own Postgres schema.
type Tenant struct {
	bun.BaseModel `bun:"table:forma.tenants,alias:t"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	Slug       string    `bun:"slug" json:"slug"`
	Name       string    `bun:"name" json:"name"`
	SchemaName string    `bun:"schema_name" json:"schema"`
	CreatedAt  time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp" json:"created_at"`
	// Limits is the tenant's own limits (0: the default); httpapi shows them with the
	// effective ones.
	Limits limits.Set `bun:"limits,type:jsonb,notnull" json:"-"`
}

// Created is a new tenant with its first admin key, whose plain text is shown once.
type Created struct {
	Tenant   Tenant
	AdminKey auth.Key
	Plain    string
}

// Service creates, finds and deletes tenants.
type Service struct {
	db    *bun.DB
	keys  *auth.Store
	usage usageCache
	// measuring shares one measurement of a tenant among its concurrent requests.
	measuring singleflight.Group
}

// NewService returns the tenant service on db, making first keys through keys.
func NewService(db *bun.DB, keys *auth.Store) *Service {
	return &Service{db: db, keys: keys, usage: usageCache{c: lru.New[int64, Usage](maxUsage)}}
}

// Create makes the tenant's row, schema and first admin key in one transaction. A slug
// in use is a Conflict; an invalid slug or name an Invalid error listing the problems.
func (s *Service) Create(ctx context.Context, slug, name string) (Created, error) {
	probs := ValidateSlug(slug)
	if name == "" {
		name = slug
	} else if len(name) > MaxNameLen {
		probs.Add("name", problem.TooLong, map[string]any{"max": MaxNameLen})
	} else {
		auth.CheckText(&probs, "name", name)
	}
	if len(probs) > 0 {
		return Created{}, apperr.Validation("the tenant is not valid", probs)
	}
	var out Created
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := Tenant{Slug: slug, Name: name}
		// The id comes first, for the schema's name.
		if err := tx.QueryRowContext(ctx, "SELECT nextval(pg_get_serial_sequence('forma.tenants', 'id'))").Scan(&t.ID); err != nil {
			return err
		}
		t.SchemaName = SchemaName(t.ID, slug)
		err := tx.QueryRowContext(ctx, `INSERT INTO forma.tenants (id, slug, name, schema_name) OVERRIDING SYSTEM VALUE
VALUES (?, ?, ?, ?) RETURNING created_at`, t.ID, t.Slug, t.Name, t.SchemaName).Scan(&t.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "CREATE SCHEMA ?", bun.Ident(t.SchemaName)); err != nil {
			return err
		}
		key, plain, err := s.keys.CreateIn(ctx, tx, t.ID, "admin", auth.Admin)
		if err != nil {
			return err
		}
		out = Created{Tenant: t, AdminKey: key, Plain: plain}
		return nil
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Created{}, &apperr.Error{Code: apperr.Conflict, Detail: "a tenant with this slug exists already", Err: err}
	}
	if errors.As(err, &pgErr) && pgErr.Code == "42P06" {
		return Created{}, &apperr.Error{Code: apperr.Conflict, Detail: "the tenant's schema exists already", Err: err}
	}
	return out, err
}

// List returns every tenant, oldest first.
func (s *Service) List(ctx context.Context) ([]Tenant, error) {
	tenants := []Tenant{}
	err := s.db.NewSelect().Model(&tenants).OrderExpr("t.id").Scan(ctx)
	return tenants, err
}

// Get returns the tenant with slug, or a NotFound error.
func (s *Service) Get(ctx context.Context, slug string) (Tenant, error) {
	var t Tenant
	if len(ValidateSlug(slug)) > 0 {
		return t, errNotFound()
	}
	err := s.db.NewSelect().Model(&t).Where("t.slug = ?", slug).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errNotFound()
	}
	return t, err
}

// errNotFound is the one answer for a tenant that does not exist.
func errNotFound() error { return apperr.New(apperr.NotFound, "no such tenant") }

// Delete drops the tenant's schema with all its tables and removes its rows (keys and
// everything else that references the tenant cascades). confirm must repeat the slug.
func (s *Service) Delete(ctx context.Context, slug, confirm string) error {
	if len(ValidateSlug(slug)) > 0 {
		return errNotFound() // no tenant has it; and a NUL must not reach Postgres
	}
	if confirm != slug {
		return apperr.Validation("deleting a tenant drops all its data: repeat its slug in ?confirm=",
			problem.List{problem.New("confirm", problem.InvalidValue, map[string]any{"reason": "must equal the tenant's slug"})})
	}
	var id int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var t Tenant
		err := tx.NewSelect().Model(&t).Where("t.slug = ?", slug).For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(t.SchemaName)); err != nil {
			return err
		}
		id = t.ID
		_, err = tx.NewDelete().Model(&t).WherePK().Exec(ctx)
		return err
	})
	if err == nil {
		s.keys.ForgetTenant(ctx, id)
	}
	return err
}
