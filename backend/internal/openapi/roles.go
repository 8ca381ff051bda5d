package openapi

import (
	"strings"

	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// view is what one custom role may do on a model: the operations its rules allow, the
// fields it reads (list and get) and writes (create and update), by name, system
// columns included. A model without a view (nil) is the built-in roles' whole model.
type view struct {
	ops         map[access.Action]bool
	read, write map[string]bool
	// listRead are the fields a list reads: its filters, sort, fields and expand.
	listRead map[string]bool
	// getRead are the fields a get reads, and a change stream: its filters and fields.
	getRead map[string]bool
	// always are the fields every read the role may make answers (required in the
	// read schema).
	always map[string]bool
}

func (v *view) allows(a access.Action) bool    { return v == nil || v.ops[a] }
func (v *view) reads(name string) bool         { return v == nil || v.read[name] }
func (v *view) writes(name string) bool        { return v == nil || v.write[name] }
func (v *view) lists(name string) bool         { return v == nil || v.listRead[name] }
func (v *view) gets(name string) bool          { return v == nil || v.getRead[name] }
func (v *view) answersAlways(name string) bool { return v == nil || v.always[name] }

// viewsOf returns the views of role on models, by model name: only the models it may do
// something with.
func viewsOf(role *access.Stored, models []schema.Model) map[string]*view {
	out := map[string]*view{}
	for i := range models {
		m := &models[i]
		rules := role.Permissions[m.Name]
		if len(rules) == 0 {
			continue
		}
		v := &view{ops: map[access.Action]bool{}, read: map[string]bool{}, write: map[string]bool{}, listRead: map[string]bool{}, always: map[string]bool{}}
		getRead := map[string]bool{}
		v.getRead = getRead
		for a, r := range rules {
			if r == nil {
				continue
			}
			v.ops[a] = true
			switch a {
			case access.List:
				addFields(v.listRead, m, r.Fields)
				addFields(v.read, m, r.Fields)
			case access.Get:
				addFields(v.read, m, r.Fields)
				addFields(getRead, m, r.Fields)
			case access.Create, access.Update:
				addFields(v.write, m, r.Fields)
			}
		}
		for name := range v.read {
			if (!v.ops[access.List] || v.listRead[name]) && (!v.ops[access.Get] || getRead[name]) {
				v.always[name] = true
			}
		}
		out[m.Name] = v
	}
	return out
}

// addFields adds the names of fs (ids, "*" for all) to set.
func addFields(set map[string]bool, m *schema.Model, fs *access.Fields) {
	if fs == nil {
		return
	}
	if fs.All {
		for _, c := range schema.SystemColumns {
			set[c] = true
		}
		for _, f := range m.Fields {
			set[f.Name] = true
		}
		return
	}
	for _, id := range fs.Names {
		if name, ok := strings.CutPrefix(id, "$"); ok {
			set[name] = true
			continue
		}
		for _, f := range m.Fields {
			if f.ID == id {
				set[f.Name] = true
			}
		}
	}
}
