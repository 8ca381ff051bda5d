package fieldtype

import (
	"net/url"
	"strings"

	"forma.dev/shared/problem"
)

func init() { Register(urlType{}) }

// urlType is an absolute http or https URL with a host.
type urlType struct{}

var _ Type = urlType{}

func (urlType) Name() string { return "url" }

func (urlType) Describe() Description {
	return Description{
		Name: "url", Label: "URL", Help: "An absolute http or https address such as https://example.com/page.",
		Choices: true, Unique: true, Options: []OptionSpec{},
		Lookups: AllLookups(), Sortable: true, Wire: WireText,
		Measures: orderedMeasures(),
		// the pattern is the start of an absolute http or https URL, the scheme in any case
		JSON:  JSONSchema{Type: "string", Format: "uri", Pattern: `^[hH][tT][tT][pP][sS]?://`},
		Input: Input{Control: "input", HTML: "url", InputMode: "url", Placeholder: "https://", Parse: "text"},
	}
}

func (urlType) CheckOptions(Options) problem.List { return nil }

func (urlType) Compile(Options) Codec { return urlCodec{} }

type urlCodec struct{}

func (urlCodec) Column() string { return "text" }

// Normalize checks the URL and returns it unchanged.
func (urlCodec) Normalize(v any) (any, *problem.Problem) {
	s, p := plainString(v)
	if p != nil {
		return nil, p
	}
	if strings.ContainsFunc(s, spaceOrControl) {
		return nil, invalidFormat("URL")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "" {
		return nil, invalidFormat("URL")
	}
	return v, nil
}
