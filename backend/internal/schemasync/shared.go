package schemasync

import (
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// The calls into shared, in one place: hashes and the planner (validation: check.go).

// modelHashes is the canonical hash of each model, by name.
func modelHashes(models []schema.Model) map[string]string {
	out := make(map[string]string, len(models))
	for _, m := range models {
		out[m.Name] = schema.Hash(m)
	}
	return out
}

// schemaHash is the canonical hash of a whole tenant schema.
func schemaHash(models []schema.Model) string { return schema.SchemaHash(models) }

// planSchema is the ordered ops from one set of models to another.
func planSchema(old, new []schema.Model) []plan.Op { return plan.Schema(old, new) }
