package registry

// OnDrop sets a function called (under the registry's lock) whenever a notice drops an
// entry; set it before Start.
func OnDrop(r *Registry, f func(tenant int64)) { r.onDrop = f }
