// Package auth is Forma's API keys: tenant keys with roles (random, shown once, stored as
// a SHA-256 hash, compared in constant time) and the platform key from FORMA_ADMIN_KEY.
package auth

// Role is what a tenant key may do; each role includes the ones below it.
type Role string

// Roles, from most to least powerful.
const (
	Admin Role = "admin" // schema, keys, webhooks and data
	Write Role = "write" // data read and write
	Read  Role = "read"  // data read
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Write, Read}

var rank = map[Role]int{Admin: 3, Write: 2, Read: 1}

// Valid reports whether r is one of the built-in roles. A custom role is valid only in
// its tenant (Store.CreateIn checks it there); it never passes Allows, so it reaches no
// route that needs a built-in role.
func (r Role) Valid() bool { return rank[r] > 0 }

// Allows reports whether a key with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.Valid() && need.Valid() && rank[r] >= rank[need] }

// BuiltIn reports whether r is one of the built-in roles; any other role a key or token
// holds is one of its tenant's custom roles (shared/access), which reaches only the data
// routes its rules allow.
func (r Role) BuiltIn() bool { return rank[r] > 0 }
