package webhooks

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// MaxURLLen is the longest endpoint URL accepted, in bytes.
const MaxURLLen = 2048

// Subscription is one endpoint of a tenant and what it listens for.
type Subscription struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      []string  `json:"events"`
	Models      []string  `json:"models"` // empty: every model
	Enabled     bool      `json:"enabled"`
	Disabled    string    `json:"disabled_reason,omitempty"`
	Failures    int       `json:"consecutive_failures"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Secret is shown once: in the answer to a create or a rotation.
	Secret string `json:"secret,omitempty"`
	// SecretRotatedUntil is when the previous secret stops signing, after a rotation.
	SecretRotatedUntil *time.Time `json:"previous_secret_expires_at,omitempty"`
}

// Input is a subscription as a client writes it; nil members of a patch stay as they are.
type Input struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	Events      *[]string `json:"events"`
	Models      *[]string `json:"models"`
	Enabled     *bool     `json:"enabled"`
}

// validate checks the members that are set; create says URL and Events are required.
func (in Input) validate(create bool) error {
	var probs problem.List
	switch {
	case in.URL == nil && create:
		probs.Add("url", problem.Required, nil)
	case in.URL != nil && checkText(&probs, "url", *in.URL):
		if msg := checkURL(*in.URL); msg != "" {
			probs.Add("url", problem.InvalidValue, map[string]any{"reason": msg})
		}
	}
	switch {
	case in.Events == nil && create:
		probs.Add("events", problem.Required, nil)
	case in.Events != nil && len(*in.Events) == 0:
		probs.Add("events", problem.Empty, nil)
	case in.Events != nil:
		for i, e := range *in.Events {
			if checkText(&probs, problem.Index("events", i), e) && !slices.Contains(EventTypes, e) {
				probs.Add(problem.Index("events", i), problem.Choice, map[string]any{"choices": EventTypes})
			}
		}
	}
	if in.Models != nil {
		for i, m := range *in.Models {
			if checkText(&probs, problem.Index("models", i), m) {
				probs.Append(problem.Index("models", i), schema.CheckName(m))
			}
		}
	}
	if in.Description != nil && checkText(&probs, "description", *in.Description) && len(*in.Description) > 500 {
		probs.Add("description", problem.TooLong, map[string]any{"max": 500})
	}
	if len(probs) > 0 {
		return apperr.Validation("the webhook is not valid", probs)
	}
	return nil
}

// checkText adds a problem at path when s is not text Postgres can store (invalid UTF-8
// or a NUL character) and reports whether it is.
func checkText(probs *problem.List, path, s string) bool {
	p := fieldtype.CheckText(s)
	if p != nil {
		probs.Append(path, problem.List{*p})
	}
	return p == nil
}

// checkURL says what is wrong with an endpoint URL, or "".
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxURLLen:
		return "is longer than 2048 bytes"
	case err != nil:
		return "is not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an absolute http or https URL"
	case u.User != nil:
		return "must not contain credentials (user:password@): listings would show them; receivers authenticate deliveries by their signature"
	case u.Host == "" || strings.HasPrefix(u.Host, ":"):
		return "must name a host"
	case u.Fragment != "":
		return "must not have a fragment"
	}
	return ""
}

// redactURL hides the password of a URL stored before credentials were refused.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

// uniq returns the values sorted without duplicates (never nil).
func uniq(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
