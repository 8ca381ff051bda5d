// Package problem is the one shape in which Forma reports what is wrong with a
// definition or a record: a path into the input, a stable code, a human message and
// the parameters the message was built from. The browser and the server show the same
// problems because they run the same code.
package problem

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input.
type Problem struct {
	// Path points into the input, e.g. "fields[1].options.max_length"; empty for the whole input.
	Path    string         `json:"path"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Params  map[string]any `json:"params,omitempty"`
}

// List collects every problem found in one input, in the order they were found.
type List []Problem

// Add appends a problem whose message comes from the code's catalogue entry.
func (l *List) Add(path, code string, params map[string]any) {
	*l = append(*l, New(path, code, params))
}

// Append appends problems found under prefix (e.g. "fields[2]"), joining their paths.
func (l *List) Append(prefix string, more List) {
	for _, p := range more {
		p.Path = Join(prefix, p.Path)
		*l = append(*l, p)
	}
}

// Err returns the list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Error joins the problems in one line, for logs and tests.
func (l List) Error() string {
	parts := make([]string, len(l))
	for i, p := range l {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// String renders the problem as "path: message (code)".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message + " (" + p.Code + ")"
	}
	return p.Path + ": " + p.Message + " (" + p.Code + ")"
}

// New builds a problem whose message comes from the code's catalogue entry.
func New(path, code string, params map[string]any) Problem {
	return Problem{Path: path, Code: code, Message: Message(code, params), Params: params}
}

// Join joins two path segments: Join("fields[1]", "options.min") is
// "fields[1].options.min"; an index segment "[2]" is joined without a dot.
func Join(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	case strings.HasPrefix(path, "["):
		return prefix + path
	}
	return prefix + "." + path
}

// Index renders "name[i]" for a path segment.
func Index(name string, i int) string {
	return fmt.Sprintf("%s[%d]", name, i)
}
