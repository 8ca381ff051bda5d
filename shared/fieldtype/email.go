package fieldtype

import (
	"strings"

	"forma.dev/shared/problem"
)

func init() { Register(emailType{}) }

// emailType is an email address, checked pragmatically; its domain is lowercased.
type emailType struct{}

var _ Type = emailType{}

func (emailType) Name() string { return "email" }

func (emailType) Describe() Description {
	return Description{
		Name: "email", Label: "Email", Help: "An email address such as ada@example.com.",
		Choices: true, Unique: true, Lookups: AllLookups(), Sortable: true, Wire: WireText, Measures: orderedMeasures(),
		JSON:  JSONSchema{Type: "string", Format: "email"},
		Input: Input{Control: "input", HTML: "email", InputMode: "email", Parse: "text"},
		Options: []OptionSpec{
			{Name: "max_length", Kind: KindInteger, Label: "Maximum length", Min: bound(1), Max: bound(MaxTextLength), Schema: "maxLength",
				Help: "The most characters an address may have; the column becomes varchar(n). Empty: unlimited."},
		},
	}
}

func (emailType) CheckOptions(Options) problem.List { return nil }

func (emailType) Compile(o Options) Codec {
	c := emailCodec{max: -1}
	if n, ok := optInt64(o, "max_length"); ok {
		c.max = n
	}
	return c
}

// emailCodec checks an address: one @, a local part, a domain with an inner dot, no
// spaces or control characters.
type emailCodec struct{ max int64 }

func (c emailCodec) Column() string { return varchar(c.max) }

func (c emailCodec) Normalize(v any) (any, *problem.Problem) {
	s, p := plainString(v)
	if p != nil {
		return nil, p
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.LastIndexByte(s, '@') != at || !validDomain(s[at+1:]) || strings.ContainsFunc(s, spaceOrControl) {
		return nil, invalidFormat("email address")
	}
	out := v
	if domain := strings.ToLower(s[at+1:]); domain != s[at+1:] {
		s = s[:at+1] + domain
		out = s
	}
	if p := checkLength(s, -1, c.max); p != nil {
		return nil, p
	}
	return out, nil
}

func validDomain(d string) bool {
	dot := strings.IndexByte(d, '.')
	return dot > 0 && d[len(d)-1] != '.' && !strings.Contains(d, "..")
}

func spaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029
}
