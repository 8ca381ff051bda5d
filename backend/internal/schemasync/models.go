package schemasync

import (
	"context"
	"fmt"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/schema"
)

// ApplySchema replaces all of a tenant's models with models (a whole snapshot), leaving
// its custom roles as they are (ApplySnapshot changes both). The snapshot is validated
// before the tenant's lock is taken.
func (e *Engine) ApplySchema(ctx context.Context, t tenantref.Ref, models []schema.Model, o Options) (*Result, error) {
	return e.ApplySnapshot(ctx, t, models, nil, o)
}

// PutModel creates model m or replaces its definition, leaving the other models alone.
// m is validated before the tenant's lock is taken, but for the models its relations name.
func (e *Engine) PutModel(ctx context.Context, t tenantref.Ref, m schema.Model, o Options) (*Result, error) {
	if problems := checkModel(m); len(problems) > 0 {
		return nil, invalid(problems)
	}
	return e.apply(ctx, t, func(cur []schema.Model) ([]schema.Model, error) {
		for i := range cur {
			if cur[i].Name == m.Name {
				cur[i] = m
				return cur, nil
			}
		}
		return append(cur, m), nil
	}, map[string]bool{m.Name: true}, nil, o)
}

// DeleteModel drops model name and its table; it is a NotFound when there is no such model.
func (e *Engine) DeleteModel(ctx context.Context, t tenantref.Ref, name string, o Options) (*Result, error) {
	return e.Apply(ctx, t, func(cur []schema.Model) ([]schema.Model, error) {
		for i := range cur {
			if cur[i].Name == name {
				return append(cur[:i], cur[i+1:]...), nil
			}
		}
		return nil, notFoundModel(name)
	}, o)
}

// UpdateModel applies fn to the current definition of model name (a NotFound when there
// is none): the field-by-field changes are built on it.
func (e *Engine) UpdateModel(ctx context.Context, t tenantref.Ref, name string, fn func(m *schema.Model) error, o Options) (*Result, error) {
	return e.Apply(ctx, t, func(cur []schema.Model) ([]schema.Model, error) {
		for i := range cur {
			if cur[i].Name == name {
				return cur, fn(&cur[i])
			}
		}
		return nil, notFoundModel(name)
	}, o)
}

// AddField adds field f to model name: a NotFound when there is no such model, a
// Conflict when it has a field so named already. f is validated before the tenant's
// lock is taken, with paths relative to it ("options.pattern"); how it fits the model
// is validated inside, with paths relative to the model.
func (e *Engine) AddField(ctx context.Context, t tenantref.Ref, name string, f schema.Field, o Options) (*Result, error) {
	if problems := checkField(f); len(problems) > 0 {
		return nil, invalid(problems)
	}
	return e.UpdateModel(ctx, t, name, func(m *schema.Model) error {
		next, problems := schema.AddField(*m, f)
		if len(problems) > 0 { // the only problem of an add: the name is taken
			return apperr.New(apperr.Conflict, fmt.Sprintf("model %q has a field %q already", m.Name, f.Name))
		}
		*m = next
		return nil
	}, o)
}

func notFoundModel(name string) error {
	return apperr.New(apperr.NotFound, fmt.Sprintf("model %q does not exist", name))
}

// Current returns the tenant's stored models, custom roles, version and hash.
func (e *Engine) Current(ctx context.Context, t tenantref.Ref) (meta.State, error) {
	return meta.Load(ctx, e.db, t.ID)
}

// History returns up to limit applied changes, newest first, older than version before (0: the newest).
func (e *Engine) History(ctx context.Context, t tenantref.Ref, before int64, limit int) ([]meta.Entry, error) {
	return meta.History(ctx, e.db, t.ID, before, limit)
}
