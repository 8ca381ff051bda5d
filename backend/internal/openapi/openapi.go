// Package openapi generates the OpenAPI 3.1 document of one tenant's data API from its
// models: a read schema, a write schema and the record routes per model, with the list
// filters each field type supports, as package records serves them.
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"forma.dev/backend/internal/records"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// obj is a JSON object under construction; encoding/json writes its keys sorted, which
// makes the document deterministic.
type obj = map[string]any

// Info names what a document describes.
type Info struct {
	// Tenant is the tenant's slug.
	Tenant string
	// Version is the tenant's schema version the models belong to.
	Version int64
	// Server is the base URL of the tenant's API; "/api/v1/t/<Tenant>" when empty.
	Server string
}

// Document returns the OpenAPI 3.1 document (compact JSON) of the data API of a tenant
// with these models, which must be valid. The same input gives the same bytes.
func Document(info Info, models []schema.Model) ([]byte, error) {
	return document(info, models, nil)
}

// DocumentFor is the document as a custom role sees it: only the models it may use, the
// operations its rules allow, the fields it reads and writes and the filters, sort,
// fields and expand it may ask for (a relation only when it may get the related model).
func DocumentFor(info Info, models []schema.Model, role *access.Stored) ([]byte, error) {
	views := viewsOf(role, models)
	if views == nil {
		views = map[string]*view{}
	}
	return document(info, models, views)
}

// document builds the document of models; views, when not nil, holds the role's view of
// each model it may use.
func document(info Info, models []schema.Model, views map[string]*view) ([]byte, error) {
	sorted := slices.Clone(models)
	slices.SortFunc(sorted, func(a, b schema.Model) int { return strings.Compare(a.Name, b.Name) })
	known := make(map[string]bool, len(sorted))
	for _, m := range sorted {
		if m.Name == "" || known[m.Name] {
			return nil, fmt.Errorf("openapi: empty or duplicate model name %q", m.Name)
		}
		known[m.Name] = true
	}
	if views != nil {
		sorted = slices.DeleteFunc(sorted, func(m schema.Model) bool { return views[m.Name] == nil })
		for name := range known {
			known[name] = views[name] != nil && views[name].allows(access.Get)
		}
	}
	comps := components()
	schemas := comps["schemas"].(obj)
	paths := obj{}
	tags := make([]any, 0, len(sorted))
	for i := range sorted {
		m, err := newModel(&sorted[i], known)
		if err != nil {
			return nil, err
		}
		if views != nil {
			m.view = views[m.def.Name]
		}
		m.addSchemas(schemas)
		m.addPaths(paths)
		m.addChangesPath(paths) // changes.go
		tags = append(tags, m.tag())
	}
	if views == nil {
		paths["/changes"] = tenantChangesPath()
		tags = append(tags, obj{"name": "tenant-changes", "description": "The tenant's schema changes, for admin keys."})
	}
	server := info.Server
	if server == "" {
		server = "/api/v1/t/" + info.Tenant
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "Forma data API: " + info.Tenant,
			"version": strconv.FormatInt(info.Version, 10),
			"description": "Records of the models of tenant " + info.Tenant + " at schema version " +
				strconv.FormatInt(info.Version, 10) + ". Errors are RFC 9457 problem details.",
		},
		"servers":    []any{obj{"url": server}},
		"security":   []any{obj{"bearer": []any{}}},
		"tags":       tags,
		"paths":      paths,
		"components": comps,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return buf.Bytes(), nil
}

// tag groups the model's operations.
func (m *model) tag() obj {
	t := obj{"name": m.def.Name}
	if d := strings.TrimSpace(m.def.Description); d != "" {
		t["description"] = d
	} else if m.def.Label != "" {
		t["description"] = m.def.Label
	}
	return t
}

// ModelsOf returns the models of a tenant's compiled tables, in any order, for Document.
func ModelsOf(ts *records.Tables) []schema.Model {
	out := make([]schema.Model, 0, len(ts.ByName))
	for _, t := range ts.ByName {
		out = append(out, t.Model)
	}
	return out
}
