package fieldtype

// Wire is how a type's values travel between Postgres and JSON: what its column is
// read as, and so how a value is written in an answer.
type Wire string

// Wire kinds.
const (
	WireText      Wire = "text"      // a text or varchar column, read as it is: a JSON string
	WireTextCast  Wire = "text_cast" // another column type read as its Postgres text form (numeric, date, time, uuid): a JSON string
	WireInteger   Wire = "integer"   // a bigint: a JSON integer
	WireFloat     Wire = "float"     // a double precision: a JSON number
	WireBoolean   Wire = "boolean"   // a boolean: true or false
	WireTimestamp Wire = "timestamp" // a timestamptz: an RFC 3339 string in UTC
	WireJSON      Wire = "json"      // a jsonb: any JSON value
)

// Wires lists every wire kind, so that a consumer can check it handles each one.
var Wires = []Wire{WireText, WireTextCast, WireInteger, WireFloat, WireBoolean, WireTimestamp, WireJSON}

// JSONSchema is how a type's values are written in JSON, in JSON Schema's (and so
// OpenAPI's) terms. Options that bound values name their keyword in OptionSpec.Schema.
type JSONSchema struct {
	// Type is "string", "integer", "number" or "boolean"; empty for any JSON value.
	Type   string `json:"type,omitempty"`
	Format string `json:"format,omitempty"`
	// Pattern is what every value as returned matches; InputPattern what a value sent
	// matches, when that differs. A codec with a Pattern method knows better (decimal).
	Pattern      string `json:"pattern,omitempty"`
	InputPattern string `json:"input_pattern,omitempty"`
	// Minimum is a lower bound no option sets (a relation's ids start at 1).
	Minimum *int64 `json:"minimum,omitempty"`
	// Note and InputNote say what type and format do not, of values returned and sent.
	Note      string `json:"note,omitempty"`
	InputNote string `json:"input_note,omitempty"`
}

// Patterner is a codec whose values as returned match a pattern that depends on its
// options; it takes precedence over JSONSchema.Pattern.
type Patterner interface {
	Pattern() string
}

// Input is the designer's input for a value of the type, as data.
type Input struct {
	// Control is "input", "select" (booleans) or "textarea" (json); a field with choices
	// gets a select whatever its type.
	Control   string `json:"control"`
	HTML      string `json:"html"` // the input's type attribute
	InputMode string `json:"inputmode,omitempty"`
	// Placeholder shows the form a value takes.
	Placeholder string `json:"placeholder,omitempty"`
	// Parse is how the text typed becomes a JSON value: "text" (as it is), "json" (a
	// number or boolean when it parses as one), "bool", or "json-strict" (must parse).
	Parse string `json:"parse"`
}

// Lookup suffixes of list filters ("" is equality), in the order they are listed.
var allLookups = []string{"", "ne", "lt", "lte", "gt", "gte", "in", "contains", "icontains", "startswith", "isnull"}

// AllLookups returns every lookup suffix a type may take, in their fixed order.
func AllLookups() []string { return append([]string(nil), allLookups...) }

// orderedLookups are equality and comparisons.
func orderedLookups() []string { return []string{"", "ne", "lt", "lte", "gt", "gte", "in", "isnull"} }

// equalityLookups are for values that have no useful order (booleans, uuids).
func equalityLookups() []string { return []string{"", "ne", "in", "isnull"} }

// Measures of aggregations that take a field, in the order they are listed; "count"
// counts rows and takes none, so every type allows it and no type lists it.
var allMeasures = []string{"count_distinct", "sum", "avg", "min", "max"}

// AllMeasures returns every measure a type may take, in their fixed order.
func AllMeasures() []string { return append([]string(nil), allMeasures...) }

// orderedMeasures are for values that have an order but no sum (text, dates, times).
func orderedMeasures() []string { return []string{"count_distinct", "min", "max"} }

// distinctMeasures are for values that can only be told apart (booleans, uuids, ids).
func distinctMeasures() []string { return []string{"count_distinct"} }

// Time buckets of aggregations' groups (timestamp__day), in the order they are listed.
var allBuckets = []string{"hour", "day", "week", "month", "year"}

// AllBuckets returns every time bucket a type may take, in their fixed order.
func AllBuckets() []string { return append([]string(nil), allBuckets...) }

// dateBuckets are the buckets of a calendar date: a day or longer.
func dateBuckets() []string { return []string{"day", "week", "month", "year"} }
