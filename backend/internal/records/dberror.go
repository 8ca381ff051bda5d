package records

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/db"
	"forma.dev/shared/problem"
)

// keyDetail reads the column list from Postgres' "Key (a, b)=(1, 2) ..." detail.
var keyDetail = regexp.MustCompile(`^Key \((.+?)\)=`)

// Stale reports whether err says the table or a column is not there, or a column's
// type is not the one the statement or the model expected: the cached model or the
// connection's prepared statement is older than the database, and the caller should
// reload it and retry once.
func Stale(err error) bool {
	var pg *pgconn.PgError
	var rows *staleRows
	return errors.As(err, &pg) && (pg.Code == "42P01" || pg.Code == "42703") || planChanged(err) || errors.As(err, &rows) ||
		db.StaleDescription(err)
}

// planChanged reports whether Postgres refused a prepared statement because a table it
// reads changed under it ("cached plan must not change result type"). It is an ERROR:
// nothing was done. pgx forgets the statement on that connection; db.PlansChanged makes
// the others forget theirs.
func planChanged(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "0A000" && (pg.Routine == "RevalidateCachedQuery" || strings.Contains(pg.Message, "cached plan"))
}

// staleRows is a result whose column types are not the model's: a column changed type
// after the model was compiled, and the statement was prepared after that. written
// says the statement committed (it ran alone or in a group, not in a transaction that
// the error rolls back): its rows, ids, are in the table, and must be read again
// with the new model, not written again.
type staleRows struct {
	column  string
	oid     uint32
	ids     []int64
	written bool
}

func (e *staleRows) Error() string {
	return fmt.Sprintf("records: column %s is of type %d, not the model's: the model is stale", e.column, e.oid)
}

// markWritten marks err, when it is a *staleRows, as the result of a statement that
// committed.
func markWritten(err error) error {
	if stale, ok := err.(*staleRows); ok {
		stale.written = true
	}
	return err
}

// writtenStale returns the ids of the rows a write committed but could not read with
// its stale model, or false.
func writtenStale(err error) ([]int64, bool) {
	var rows *staleRows
	if errors.As(err, &rows) && rows.written {
		return rows.ids, true
	}
	return nil, false
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
