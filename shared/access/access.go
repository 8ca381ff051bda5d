// Package access is the language of a tenant's custom roles: for each model, the actions
// a role may take (list, get, create, update, delete), each with a row filter in the
// list-filter language, the fields it may read or write and the values a create is
// given whatever the body says. Rules are validated here, against the tenant's models,
// so that the designer (through wasm) and the server refuse the same rules with the
// same problems. A role is written and shown with field names (Role) and kept with
// field ids (Stored), so a rename keeps it and a drop is seen.
package access

import (
	"slices"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Action is what a rule allows on a model.
type Action string

// The actions, in the order they are listed.
const (
	List   Action = "list"
	Get    Action = "get"
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Actions lists every action.
var Actions = []Action{List, Get, Create, Update, Delete}

// Built-in roles: every tenant has them, no custom role may take their names.
var BuiltIn = []string{"admin", "write", "read"}

// VariablePrefix starts a filter or preset value that is read from the caller:
// "$auth.sub" is the claim sub of the caller's token (for a key, "key:<id>"). A literal
// string that starts with "$" is written with "$$" in front of the rest ("$$5" is "$5").
const VariablePrefix = "$auth."

// Role is a custom role as the API reads and writes it: models and fields by name.
// A model or an action that is not listed is not allowed.
type Role struct {
	Description string `json:"description,omitempty"`
	// Permissions holds, for each model by name, the rules of the actions it allows.
	Permissions map[string]map[Action]*Rule `json:"permissions"`
}

// Rule is what a role may do in one action on one model.
type Rule struct {
	// Filter narrows the rows the action reaches: "field__lookup" to a value, a list of
	// values for __in, or a variable ("$auth.sub"). List, get, update and delete only
	// reach rows inside it; a create or update must leave its row inside it.
	Filter map[string]any `json:"filter,omitempty"`
	// Fields are the fields the action reads (list, get) or writes (create, update);
	// nil for delete.
	Fields *Fields `json:"fields,omitempty"`
	// Presets are values a create sets whatever the body says (create only).
	Presets map[string]any `json:"presets,omitempty"`
}

// Fields is "*" (every field, now and later) or a list of field names (ids when stored).
// In JSON it is the string "*" or an array of strings.
type Fields struct {
	All   bool
	Names []string
}

// Stored is a validated role as Forma keeps it: fields by id (system columns by their
// name with "$" in front: "$id", "$created_at", "$updated_at"), so that a rename keeps
// the rule and a dropped field is seen by Check.
type Stored struct {
	Description string                            `json:"description,omitempty"`
	Permissions map[string]map[Action]*StoredRule `json:"permissions"`
	// Names holds, for each model, the name each field the rules use had when the role
	// was compiled, by id: how Check names a field that has gone since.
	Names map[string]map[string]string `json:"names,omitempty"`
}

// StoredRule is one rule with its fields by id.
type StoredRule struct {
	Filter  []Condition `json:"filter,omitempty"`
	Fields  *Fields     `json:"fields,omitempty"`
	Presets []Preset    `json:"presets,omitempty"`
}

// Condition is one term of a row filter: a field (by id), a lookup ("" for equality,
// else a lookup suffix of the list filters) and its value, normalised by the field's
// type, or a variable (Var set, Value nil). For "in" Values holds the list, each one a
// value or a Variable. For "isnull" Value is a bool.
type Condition struct {
	Field  string `json:"field"`
	Lookup string `json:"lookup,omitempty"`
	Value  any    `json:"value,omitempty"`
	Var    string `json:"var,omitempty"`
	Values []any  `json:"values,omitempty"`
}

// Variable is a value of Condition.Values that is read from the caller. Read back from
// JSON it is the object {"var": path}, which Check and Named take as a Variable too (no
// field type with the in lookup has objects for values).
type Variable struct {
	Var string `json:"var"`
}

// Preset is one value a create sets: a normalised value (nil for null) or a variable.
type Preset struct {
	Field string `json:"field"`
	Value any    `json:"value,omitempty"`
	Var   string `json:"var,omitempty"`
}

// Compile validates r against the tenant's models and returns it with fields by id.
// Every problem is reported, with paths such as
// "permissions.post.list.filter.owner__in" and stable codes (unknown_model,
// unknown_field, unknown_lookup, unknown_variable, invalid_type, ...).
//
// A rule's fields are required for list, get, create and update, and not allowed on
// delete; presets are for create only; create and update may not write the system
// columns or automatic datetimes (read_only). A filter value is normalised by its
// field's type; a string "$auth.<claim path>" is a variable, "$$x" the literal "$x",
// any other string starting with "$" is unknown_variable. On any problem Stored is nil.
func Compile(r Role, models []schema.Model) (*Stored, problem.List) { return compile(r, models) }

// Check reports, after a schema change, every rule of s that names a field or model the
// new models lack, or whose value the field's new type refuses, with paths as Compile's.
// Each such rule is one problem with code rule_uses_field, whose params name the model
// and field ("name": "post.owner"); a dropped field is named as it was when the role
// was compiled (Names). A renamed field passes: the rule keeps its id.
func (s *Stored) Check(models []schema.Model) problem.List { return s.check(models) }

// Named returns s as the API shows it: fields by name, in the models given. A field s
// names that models lack (it cannot happen after Check) is left out.
// Variables are written back as "$auth.<claim path>", literal strings starting with "$"
// with "$$".
func (s *Stored) Named(models []schema.Model) Role { return s.named(models) }

// CheckName reports what is wrong with a custom role's name: the rules of a model name,
// and none of the built-in roles.
// A built-in role's name is builtin_role. Paths are empty: the caller places them.
func CheckName(name string) problem.List {
	list := schema.CheckName(name)
	if slices.Contains(BuiltIn, name) {
		list.Add("", problem.BuiltinRole, map[string]any{"name": name})
	}
	return list
}

// MaxRoles is the most custom roles a tenant may have.
const MaxRoles = 100
