package hostiletest

import (
	"strings"
)

// hostileStrings are JSON string literals that no free-text member may store: NUL,
// broken UTF-8, lone surrogates, a megabyte.
var hostileStrings = map[string]string{
	"NUL":            `"a\u0000b"`,
	"invalid UTF-8":  "\"a\xff\xfeb\"",
	"lone surrogate": `"a\ud800b"`,
	"low surrogate":  `"\udc00"`,
	"one megabyte":   `"` + strings.Repeat("x", 1<<20) + `"`,
}

// nearValid holds, per write route, bodies that would be accepted with an ordinary
// string in place of %s: each hostile string put there must be refused with a 4xx.
var nearValid = map[string][]string{
	"POST /api/v1/tenants":        {`{"slug":"hx","name":%s}`, `{"slug":%s}`},
	"PATCH /api/v1/tenants/:slug": {`{"limits":{"models":%s}}`, `{"limits":{%s:1}}`, `{"limits":{"models":1},"name":%s}`},
	"POST /api/v1/t/:tenant/keys": {`{"name":%s,"role":"read"}`},
	"PUT /api/v1/t/:tenant/models/:model": {
		withModel(`"label":%s`), withModel(`"description":%s`),
		strings.Replace(model, `"choices":["PL","DE"]`, `"choices":["PL",%s]`, 1),
		strings.Replace(model, `"options":{"max_length":20}`, `"options":{"max_length":20,"pattern":%s}`, 1),
		strings.Replace(model, `{"name":"v","type":"integer"`, `{"name":"v","help":%s,"type":"integer"`, 1),
	},
	"POST /api/v1/t/:tenant/models/:model/plan":           {withModel(`"label":%s`)},
	"POST /api/v1/t/:tenant/models/:model/fields":         {`{"name":"f2","type":"text","help":%s}`, `{"name":"f2","type":"text","label":%s}`},
	"PATCH /api/v1/t/:tenant/models/:model/fields/:field": {`{"label":%s}`, `{"description":%s}`},
	"PUT /api/v1/t/:tenant/schema":                        {`{"models":[` + withModel(`"name":"q","label":%s`) + `]}`},
	"POST /api/v1/t/:tenant/schema/plan":                  {`{"models":[` + withModel(`"name":"q","label":%s`) + `]}`},
	"POST /api/v1/t/:tenant/data/:model":                  {`{"n":%s}`, `{"j":{"k":%s}}`, `{"j":{%s:1}}`},
	"PUT /api/v1/t/:tenant/data/:model/:id":               {`{"n":%s}`},
	"PATCH /api/v1/t/:tenant/data/:model/:id":             {`{"n":%s}`, `{"j":[%s]}`},
	"POST /api/v1/t/:tenant/webhooks":                     {`{"url":"http://127.0.0.1:9/h2","events":["record.created"],"description":%s}`, `{"url":%s,"events":["record.created"]}`},
	"PATCH /api/v1/t/:tenant/webhooks/:id":                {`{"description":%s}`},
	"PUT /api/v1/t/:tenant/roles/:role": {
		`{"description":%s,"permissions":{}}`, `{"permissions":{%s:{}}}`,
		`{"permissions":{"q":{"list":{"fields":[%s]}}}}`, `{"permissions":{"q":{"list":{"fields":"*","filter":{"n":%s}}}}}`,
		`{"permissions":{"q":{"list":{"fields":"*","filter":{%s:1}}}}}`,
	},
	"PUT /api/v1/t/:tenant/auth": {
		`{"jwt":{"algorithm":"HS256","secret":%s}}`, `{"jwt":{"algorithm":"RS256","public_key":%s}}`,
		`{"jwt":{"jwks_url":%s}}`, `{"jwt":{"algorithm":"HS256","issuer":%s}}`, `{"jwt":{"algorithm":"HS256","role_claim":%s}}`,
		`{"jwt":{"algorithm":"HS256","default_role":%s}}`,
	},
}

// duplicateMembers are bodies, per write route, that name one member twice: whichever
// value would win, the body is ambiguous and must be refused.
var duplicateMembers = map[string][]string{
	"POST /api/v1/tenants":                                {`{"slug":"hx","slug":"hy"}`},
	"PATCH /api/v1/tenants/:slug":                         {`{"limits":{"models":1,"models":2}}`, `{"limits":{},"limits":{"models":1}}`},
	"POST /api/v1/t/:tenant/keys":                         {`{"name":"k","name":"k2","role":"read"}`, `{"name":"k","role":"read","role":"admin"}`},
	"PATCH /api/v1/t/:tenant/models/:model/fields/:field": {`{"label":"a","label":"b"}`},
	"POST /api/v1/t/:tenant/data/:model":                  {`{"n":"PL","n":"DE"}`, `{"j":{"a":1,"a":2}}`},
	"PATCH /api/v1/t/:tenant/data/:model/:id":             {`{"v":1,"v":2}`},
	"PATCH /api/v1/t/:tenant/webhooks/:id":                {`{"description":"a","description":"b"}`},
	"PUT /api/v1/t/:tenant/roles/:role":                   {`{"permissions":{},"permissions":{"q":{}}}`, `{"permissions":{"q":{"list":{"fields":"*"},"list":{"fields":[]}}}}`},
	"PUT /api/v1/t/:tenant/auth":                          {`{"jwt":{"algorithm":"HS256","algorithm":"none"}}`},
	"POST /api/v1/t/:tenant/webhooks":                     {`{"url":"http://127.0.0.1:9/h3","url":"http://127.0.0.1:9/h4","events":["record.created"]}`},
}

// otherRefusals are more bodies, per write route, that must be refused.
var otherRefusals = map[string][]string{
	"PATCH /api/v1/tenants/:slug": {
		`{"limits":{"models":-1}}`, `{"limits":{"requests_per_second":0}}`, `{"limits":{"bulk_rows":1.5}}`,
		`{"limits":{"models":1e3}}`, `{"limits":{"models":1e999999}}`, `{"limits":{"storage_bytes":99999999999999999999}}`,
		`{"limits":{"storage_bytes":1125899906842625}}`, `{"limits":{"fields_per_model":1601}}`,
		`{"limits":{"concurrent_requests":-99999999999999999999}}`, `{"limits":{"models":true}}`,
		`{"limits":{"models":[1]}}`, `{"limits":{"models":{"value":1}}}`, `{"limits":[]}`, `{"limits":"all"}`,
		`{"limits":null}`, `{"limits":{"models":1},"slug":"other"}`, `{"limits":{"models":"1"}}`,
	},
	"POST /api/v1/t/:tenant/webhooks": {`{"url":"http://user:pass@127.0.0.1:9/h5","events":["record.created"]}`},
	"PUT /api/v1/t/:tenant/roles/:role": {
		`{"permissions":{"nosuch":{"list":{"fields":"*"}}}}`, `{"permissions":{"q":{"publish":{}}}}`,
		`{"permissions":{"q":{"list":{"fields":"**"}}}}`, `{"permissions":{"q":{"list":{"fields":"*","filter":{"v":"$env.HOME"}}}}}`,
		`{"permissions":{"q":{"list":{"fields":"*","filter":{"v__in":[` + strings.TrimSuffix(strings.Repeat(`1,`, 100_000), ",") + `]}}}}}`,
		`{"permissions":{"q":{"delete":{"fields":"*"}}}}`, `{"permissions":{"q":{"create":{"fields":["id"]}}}}`,
	},
	"PUT /api/v1/t/:tenant/auth": {
		`{"jwt":{"algorithm":"none"}}`, `{"jwt":{"algorithm":"HS256","secret":"short"}}`,
		`{"jwt":{"algorithm":"RS256","public_key":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}}`,
		`{"jwt":{"jwks_url":"http://127.0.0.1:9/jwks"}}`, `{"jwt":{"jwks_url":"file:///etc/passwd"}}`,
		`{"jwt":{"algorithm":"HS256","allowed_roles":["root"]}}`,
	},
	"PUT /api/v1/t/:tenant/models/:model": {
		`null`, `{"fields":null}`,
		`{"fields":[` + strings.TrimSuffix(strings.Repeat(`{"name":"f","type":"text"},`, 1601), ",") + `]}`,
		`{"fields":[{"name":"n","type":"text","choices":[` + strings.TrimSuffix(strings.Repeat(`"c",`, 100_000), ",") + `]}]}`,
	},
}

// withModel is the fixture's model definition with members added at its start.
func withModel(members string) string { return "{" + members + "," + model[1:] }

// malformedBodies go to every route that takes a body; none may be stored.
var malformedBodies = map[string]string{
	"empty":           "",
	"truncated":       `{"a":`,
	"null":            "null",
	"number":          "12",
	"string":          `"s"`,
	"two values":      `{} {}`,
	"deep arrays":     strings.Repeat("[", 100_000),
	"deep objects":    strings.Repeat(`{"a":`, 20_000),
	"huge number":     `{"a":1e999999}`,
	"raw NUL":         "{\"a\":\"\x00\"}",
	"raw invalid":     "\xff\xfe",
	"surrogate key":   `{"\ud800":1}`,
	"duplicate":       `{"a":1,"a":2}`,
	"wrong types":     `{"name":1,"slug":[],"fields":{},"role":true,"url":{},"events":"x","label":[]}`,
	"unknown members": `{"zzz":1}`,
}

// undecodableQueries cannot be percent-decoded: every API route refuses them with 400.
var undecodableQueries = []string{"%zz=1", "n=%zz", "limit=%zz", "cursor=%%%", "fields=%zz", "x=%", "a=%2"}

// mangledQueries are every query parameter Forma reads, with values it must refuse or
// bound, and parameters no route takes.
var mangledQueries = []string{
	"limit=-1", "limit=0", "limit=99999999999999999999", "limit=1.5", "limit=", "before=-1", "before=x",
	"cursor=AAAA", "cursor=" + strings.Repeat("A", 10_000), "sort=-,-", "sort=" + strings.Repeat(",", 2000), "sort=j", "sort=n,n",
	"fields=n,n", "fields=zz", "expand=o,o", "expand=o,,o", "expand=n", "expand=zz",
	"n__in=" + strings.TrimSuffix(strings.Repeat("PL,", 2000), ","), "n__zz=1", "zz=1", "v=abc", "v=1e999",
	"ts__gt=notadate", "d=1e999", "j=1", "o__isnull=maybe", "%00=1", "n=%00",
	"allow_data_loss=maybe", "confirm=%00", "n__icontains=" + strings.Repeat("x", 100_000),
	strings.TrimSuffix(strings.Repeat("v__gt=1&", 2000), "&"),
}

// mangledHeaders are request headers Forma reads, with values it must refuse.
var mangledHeaders = [][2]string{
	{"Authorization", "Bearer"},
	{"Authorization", "Bearer " + strings.Repeat("k", 10_000)},
	{"Authorization", "Basic dXNlcjpwYXNz"},
	{"Authorization", "Bearer fk_0000000000000000_nope"},
	{"Authorization", "Bearer fk_zz_zz"},
	{"If-Match", "garbage"},
	{"If-Match", `"99999999999999999999"`},
	{"If-Match", `W/"-1"`},
	{"Forma-Schema-Version", "-1"},
	{"Forma-Schema-Version", "abc"},
	{"Forma-Schema-Version", "99999999999999999999"},
}
