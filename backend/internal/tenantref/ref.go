// Package tenantref names a tenant as the packages that reach its tables need it: its
// id and its Postgres schema. It imports nothing of Forma's, so any package may use it.
package tenantref

// Ref is a tenant: its id and its Postgres schema (t<id>_<slug>, or t_<slug> for
// tenants made before that naming).
type Ref struct {
	ID     int64
	Schema string
}
