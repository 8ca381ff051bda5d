package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Builders of single ops; table is the model's name, s the field as it is when the op runs.

func fieldOp(kind Kind, table string, s state, desc string, args ...any) Op {
	f := s.f
	return Op{Kind: kind, Model: table, Field: f.Name, FieldID: f.ID, Def: &f,
		Description: fmt.Sprintf(desc, args...)}
}

func dropOp(kind Kind, table string, s state, desc string, args ...any) Op {
	op := fieldOp(kind, table, s, desc, args...)
	op.Prev, op.Def = op.Def, nil
	return op
}

func addColumn(table string, s state, existing bool) Op {
	op := fieldOp(AddColumn, table, s, "add field %q (%s)", s.f.Name, columnSummary(s))
	op.Column, op.NotNull, op.Default = s.r.Column, s.f.Required, s.def()
	op.MayFail = existing && s.f.Required && op.Default == nil
	return op
}

func columnSummary(s state) string {
	parts := []string{s.r.Column}
	if s.f.Required {
		parts = append(parts, "required")
	}
	if d := s.def(); d != nil {
		parts = append(parts, "default "+show(d))
	}
	return strings.Join(parts, ", ")
}

func addUnique(table string, s state, mayFail bool) Op {
	op := fieldOp(AddUnique, table, s, "make field %q unique", s.f.Name)
	op.Name, op.MayFail = s.uniqueName(table), mayFail
	return op
}

func addIndex(table string, s state) Op {
	op := fieldOp(AddIndex, table, s, "index field %q", s.f.Name)
	op.Name = s.indexName(table)
	return op
}

func addCheck(table string, s state, mayFail bool) Op {
	op := fieldOp(AddCheck, table, s, "allow only the choices %s in field %q", showList(s.r.Choices), s.f.Name)
	op.Name, op.Choices, op.MayFail = s.checkName(table), s.r.Choices, mayFail
	return op
}

func addForeignKey(table string, s state, mayFail bool) Op {
	op := fieldOp(AddForeignKey, table, s, "link field %q to model %q (on delete %s)",
		s.f.Name, s.f.RelatedModel, s.r.OnDelete)
	op.Name, op.RefModel, op.OnDelete, op.MayFail = s.foreignKeyName(table), s.f.RelatedModel, s.r.OnDelete, mayFail
	return op
}

func dropUnique(table string, s state) Op {
	op := dropOp(DropUnique, table, s, "allow repeated values in field %q", s.f.Name)
	op.Name = s.uniqueName(table)
	return op
}

func dropIndex(table string, s state) Op {
	op := dropOp(DropIndex, table, s, "drop the index on field %q", s.f.Name)
	op.Name = s.indexName(table)
	return op
}

func dropCheck(table string, s state) Op {
	op := dropOp(DropCheck, table, s, "stop checking field %q against its choices", s.f.Name)
	op.Name = s.checkName(table)
	return op
}

func dropForeignKey(table string, s state) Op {
	op := dropOp(DropForeignKey, table, s, "unlink field %q from model %q", s.f.Name, s.f.RelatedModel)
	op.Name, op.RefModel = s.foreignKeyName(table), s.f.RelatedModel
	return op
}

// show renders a value for a description, as JSON.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return strconv.Quote(fmt.Sprint(v))
	}
	return string(data)
}

func showList(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = show(v)
	}
	return strings.Join(parts, ", ")
}

func quoteAll(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = strconv.Quote(n)
	}
	return strings.Join(parts, ", ")
}
