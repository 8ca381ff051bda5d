package access

import "forma.dev/shared/schema"

// Bounds of a role, so that compiling, checking and storing one takes bounded time and
// space. A list or map over its bound is reported once (max_items) and its items are not
// checked; a string over its bound is too_long. Lengths are in bytes of UTF-8.
const (
	// MaxModels is the most models a role names: every model of the tenant.
	MaxModels = schema.MaxModels
	// MaxFilterTerms is the most terms of one rule's filter.
	MaxFilterTerms = 64
	// MaxInValues is the most values of an __in term, as in list filters.
	MaxInValues = 1000
	// MaxFields is the most entries of a rule's fields: every field and system column.
	MaxFields = schema.MaxFields + 3
	// MaxPresets is the most presets of a create rule: every field.
	MaxPresets = schema.MaxFields
	// MaxValueBytes is the longest value of a filter term or preset, as JSON (a string's
	// length), as a field's default.
	MaxValueBytes = schema.MaxDefaultBytes
	// MaxDescriptionBytes is the longest description of a role, as a model's.
	MaxDescriptionBytes = schema.MaxDescriptionBytes
	// MaxClaimPathBytes is the longest claim path of a variable ("org.id" in
	// "$auth.org.id"); MaxClaimPathNames the most names it has.
	MaxClaimPathBytes = 200
	MaxClaimPathNames = 8
	// MaxRoleBytes is the most bytes of one role as Forma stores it (Stored, as JSON):
	// the bounds above still let a role run to megabytes (a thousand 4 KiB values per
	// __in term). A role over it is too_long at the role's own path. The server checks
	// it (schemasync) when a role is put, not Compile: only the role a change writes is
	// measured, so that a role stored before the bound keeps working.
	MaxRoleBytes = 64 << 10
	// MaxRolesBytes is the most bytes of all of a tenant's roles as stored: a change that
	// grows them past it is too_long at "roles".
	MaxRolesBytes = 1 << 20
)
