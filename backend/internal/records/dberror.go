package records

import (
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// keyDetail reads the column list from Postgres' "Key (a, b)=(1, 2) ..." detail.
var keyDetail = regexp.MustCompile(`^Key \((.+?)\)=`)

// Stale reports whether err says the table or a column is not there: the cached model
// is older than the database, and the caller should reload it and retry once.
func Stale(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "42P01" || pg.Code == "42703")
}

// dbError turns a refusal by Postgres into an answer that names the field; anything
// it does not recognise is returned as is (an internal error).
func dbError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	fields := keyFields(pg)
	switch pg.Code {
	case "23505": // unique_violation
		return conflict(fields, problem.Duplicate, "a record with this value exists already", err)
	case "23503": // foreign_key_violation
		if strings.Contains(pg.Detail, "is still referenced") {
			return &apperr.Error{Code: apperr.Conflict, Detail: "other records still refer to this record", Err: err}
		}
		return conflict(fields, problem.NotFound, "the related record does not exist", err)
	case "23502": // not_null_violation
		return invalid(pg.ColumnName, problem.Required, nil, err)
	case "23514": // check_violation
		return invalid(pg.ColumnName, problem.InvalidValue, map[string]any{"reason": "refused by the database (" + pg.ConstraintName + ")"}, err)
	}
	if strings.HasPrefix(pg.Code, "22") { // data exception: a value Postgres cannot store
		return invalid(pg.ColumnName, problem.InvalidValue, map[string]any{"reason": pg.Message}, err)
	}
	return err
}

func keyFields(pg *pgconn.PgError) []string {
	m := keyDetail.FindStringSubmatch(pg.Detail)
	if m == nil {
		return nil
	}
	parts := strings.Split(m[1], ", ")
	for i, p := range parts {
		parts[i] = strings.Trim(p, `"`)
	}
	return parts
}

func conflict(fields []string, code, detail string, err error) error {
	e := &apperr.Error{Code: apperr.Conflict, Detail: detail, Err: err}
	for _, f := range fields {
		e.Problems.Add(f, code, map[string]any{"name": f})
	}
	return e
}

func invalid(field, code string, params map[string]any, err error) error {
	e := &apperr.Error{Code: apperr.Invalid, Detail: "the database refused the record", Err: err}
	e.Problems.Add(field, code, params)
	return e
}
