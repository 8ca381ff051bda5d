package schemasync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// A tenant's custom roles are part of its schema version: their rules name its fields by
// id, so a change of the models and a change of the roles go through the same locked
// transaction (applyOnce). A change that leaves the roles alone re-checks them against
// its models; one that changes them compiles them against its models.

// RoleChange computes a tenant's next roles from its current ones (a copy it may change)
// and the models the change leads to. It runs inside the locked transaction.
type RoleChange func(current map[string]*access.Stored, models []schema.Model) (map[string]*access.Stored, error)

// ApplySnapshot replaces all of a tenant's models with models and, when roles is not
// nil, all of its custom roles with roles (API form, by name), in one change: a rule may
// be changed in the same change that drops the field it used. Problems of the roles have
// paths "roles.<name>...".
func (e *Engine) ApplySnapshot(ctx context.Context, t tenantref.Ref, models []schema.Model, roles map[string]access.Role, o Options) (*Result, error) {
	problems := checkSchema(models)
	if roles != nil {
		problems = append(problems, checkRoleNames(roles)...)
	}
	if len(problems) > 0 {
		return nil, invalid(problems)
	}
	checked := make(map[string]bool, len(models))
	for _, m := range models {
		checked[m.Name] = true
	}
	var rc RoleChange
	if roles != nil {
		rc = func(_ map[string]*access.Stored, next []schema.Model) (map[string]*access.Stored, error) {
			return compileRoles(roles, next)
		}
	}
	return e.apply(ctx, t, func([]schema.Model) ([]schema.Model, error) { return models, nil }, checked, rc, o)
}

// PutRole creates custom role name or replaces its rules; created tells which. The role
// is compiled against the tenant's models inside the lock, with paths relative to it
// ("permissions.post.list.filter.owner").
func (e *Engine) PutRole(ctx context.Context, t tenantref.Ref, name string, r access.Role, o Options) (res *Result, created bool, err error) {
	if problems := access.CheckName(name); len(problems) > 0 {
		return nil, false, apperr.Validation("the role's name is not valid", prefixed("name", problems))
	}
	res, err = e.apply(ctx, t, keepModels, nil, func(cur map[string]*access.Stored, models []schema.Model) (map[string]*access.Stored, error) {
		s, problems := access.Compile(r, models)
		if len(problems) == 0 {
			problems = roleTooLong(s)
		}
		if len(problems) > 0 {
			return nil, apperr.Validation("the role is not valid", problems)
		}
		_, exists := cur[name]
		created = !exists
		cur[name] = s
		return cur, nil
	}, o)
	return res, created, err
}

// DeleteRole deletes custom role name: a NotFound when there is none, a Conflict when
// unrevoked keys hold it.
func (e *Engine) DeleteRole(ctx context.Context, t tenantref.Ref, name string, o Options) (*Result, error) {
	return e.apply(ctx, t, keepModels, nil, func(cur map[string]*access.Stored, _ []schema.Model) (map[string]*access.Stored, error) {
		if _, ok := cur[name]; !ok {
			return nil, apperr.New(apperr.NotFound, fmt.Sprintf("role %q does not exist", name))
		}
		delete(cur, name)
		return cur, nil
	}, o)
}

// keepModels is the Change of a change of the roles alone.
func keepModels(cur []schema.Model) ([]schema.Model, error) { return cur, nil }

// checkRoleNames validates, before the lock, the names and the number of a snapshot's roles.
func checkRoleNames(roles map[string]access.Role) problem.List {
	var list problem.List
	if len(roles) > access.MaxRoles {
		list.Add("roles", problem.MaxItems, map[string]any{"max": access.MaxRoles})
		return list
	}
	for _, name := range sortedNames(roles) {
		list.Append("roles."+name, access.CheckName(name))
	}
	return list
}

// compileRoles compiles a snapshot's roles against the models it goes with.
func compileRoles(roles map[string]access.Role, models []schema.Model) (map[string]*access.Stored, error) {
	out := make(map[string]*access.Stored, len(roles))
	var list problem.List
	for _, name := range sortedNames(roles) {
		s, problems := access.Compile(roles[name], models)
		if len(problems) == 0 {
			problems = roleTooLong(s)
		}
		list.Append("roles."+name, problems)
		out[name] = s
	}
	if len(list) > 0 {
		return nil, invalid(list)
	}
	return out, nil
}

// roleTooLong reports a compiled role whose stored JSON is over access.MaxRoleBytes, at
// the role's own path (""). Only a role a change writes is measured.
func roleTooLong(s *access.Stored) problem.List {
	if n := len(storedJSON(s)); n > access.MaxRoleBytes {
		return problem.List{problem.New("", problem.TooLong, map[string]any{"max": access.MaxRoleBytes, "bytes": n})}
	}
	return nil
}

// rolesBytes is the size of a set of roles as stored, role by role.
func rolesBytes(roles map[string]*access.Stored) int {
	n := 0
	for _, r := range roles {
		n += len(storedJSON(r))
	}
	return n
}

func storedJSON(s *access.Stored) []byte {
	b, _ := json.Marshal(s) // a compiled role always marshals
	return b
}

// nextRoles is the roles a change leads to: those rc makes, or the current ones checked
// against the models the change leads to when they changed (a rule must not name a
// dropped or retyped field). Problems have paths "roles.<name>...".
func nextRoles(cur map[string]*access.Stored, curModels, next []schema.Model, rc RoleChange) (map[string]*access.Stored, error) {
	roles := cur
	if rc != nil {
		copied := make(map[string]*access.Stored, len(cur))
		for name, r := range cur {
			copied[name] = r
		}
		var err error
		if roles, err = rc(copied, next); err != nil {
			return nil, err
		}
		if len(roles) > access.MaxRoles {
			return nil, invalid(problem.List{problem.New("roles", problem.MaxItems, map[string]any{"max": access.MaxRoles})})
		}
		if n := rolesBytes(roles); n > access.MaxRolesBytes && n > rolesBytes(cur) {
			return nil, invalid(problem.List{problem.New("roles", problem.TooLong, map[string]any{"max": access.MaxRolesBytes})})
		}
	}
	if sameJSON(curModels, next) {
		return roles, nil // the roles were valid against these models when stored
	}
	var list problem.List
	for _, name := range sortedNames(roles) {
		list.Append("roles."+name, roles[name].Check(next))
	}
	if len(list) > 0 {
		return nil, apperr.Validation("the change breaks rules of the tenant's roles: change them in the same request (PUT /schema with \"roles\")", list)
	}
	return roles, nil
}

// checkHolders refuses, with a Conflict, a change that removes roles unrevoked keys hold.
// The removed roles' rows are locked first, so that a key created for one meanwhile
// (which locks the row it names, auth.Store) is counted.
func checkHolders(ctx context.Context, tx bun.Tx, tenantID int64, cur, next map[string]*access.Stored) error {
	var gone []string
	for name := range cur {
		if _, ok := next[name]; !ok {
			gone = append(gone, name)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	sort.Strings(gone)
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM forma.roles WHERE tenant_id = ? AND name IN (?) FOR UPDATE",
		tenantID, bun.List(gone)); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT role, count(*) FROM forma.keys
		WHERE tenant_id = ? AND role IN (?) AND revoked_at IS NULL GROUP BY role ORDER BY role`, tenantID, bun.List(gone))
	if err != nil {
		return err
	}
	defer rows.Close()
	var held []string
	total := 0
	for rows.Next() {
		var role string
		var n int
		if err := rows.Scan(&role, &n); err != nil {
			return err
		}
		held = append(held, fmt.Sprintf("%q by %d", role, n))
		total += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if total > 0 {
		return apperr.New(apperr.Conflict, fmt.Sprintf(
			"%d unrevoked key(s) hold the role(s) this change removes (%s); revoke them first", total, strings.Join(held, ", "))).
			With("keys", total)
	}
	var tokenRole string
	err = tx.QueryRowContext(ctx, `SELECT jwt->>'default_role' FROM forma.tenant_auth
		WHERE tenant_id = ? AND jwt->>'default_role' IN (?)`, tenantID, bun.List(gone)).Scan(&tokenRole)
	switch {
	case err == nil:
		return apperr.New(apperr.Conflict, fmt.Sprintf(
			"%q is the default role of the tenant's end-user tokens (PUT /auth); change that first", tokenRole))
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}

// prefixed puts prefix in front of every problem's path.
func prefixed(prefix string, problems problem.List) problem.List {
	var list problem.List
	list.Append(prefix, problems)
	return list
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
