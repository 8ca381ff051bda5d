package tokens

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/shared/access"
)

// Skew is how far a replica's clock may be from the token issuer's: a token is accepted
// up to Skew past its exp and from Skew before its nbf (and iat).
const Skew = 30 * time.Second

// maxTokenBytes bounds a token; far beyond any real one's claims.
const maxTokenBytes = 16 << 10

// LooksLikeJWT reports whether a bearer is shaped like a compact JWT (three base64url
// parts) rather than a Forma key.
func LooksLikeJWT(bearer string) bool {
	if strings.HasPrefix(bearer, auth.KeyPrefix) || strings.Count(bearer, ".") != 2 {
		return false
	}
	for i := 0; i < len(bearer); i++ {
		c := bearer[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '=') {
			return false
		}
	}
	return true
}

// fail is a refused token: code says why, detail in a sentence that names nothing of
// the tenant's settings.
func fail(code apperr.Code, detail string) *apperr.Error { return apperr.New(code, detail) }

func notEnabled() error {
	return fail(apperr.TokensNotEnabled, "this tenant accepts no end-user tokens; use an API key")
}

// cachedToken is a verified token, remembered until it expires.
type cachedToken struct {
	tenantID int64
	version  uint64 // of the settings it was verified under
	role     auth.Role
	claims   map[string]any
	expires  time.Time
}

// Authenticate returns the principal of a token presented on the routes of the tenant
// slug, or an error whose code says why it was refused. A token verified before under
// the same settings costs no signature check until it expires. The claims are shared
// by every request of the token: nothing may change them.
func (s *Service) Authenticate(ctx context.Context, slug, token string) (auth.Principal, error) {
	e, err := s.tenant(ctx, slug)
	if err != nil {
		return auth.Principal{}, err
	}
	if e == nil || e.v == nil {
		return auth.Principal{}, notEnabled() // the same for a tenant that does not exist
	}
	now := time.Now()
	h := sha256.Sum256([]byte(slug + "\x00" + token))
	s.mu.Lock()
	ct, ok := s.tokens.Get(h)
	gen := s.gen
	s.mu.Unlock()
	if ok && ct.tenantID == e.tenant.ID && ct.version == e.version && now.Before(ct.expires) {
		return auth.Principal{Role: ct.role, Claims: ct.claims, Tenant: e.tenant}, nil
	}
	ct, err = s.verify(ctx, e, token, now)
	if err != nil {
		return auth.Principal{}, err
	}
	s.mu.Lock()
	if gen == s.gen {
		s.tokens.Put(h, ct)
	}
	s.mu.Unlock()
	return auth.Principal{Role: ct.role, Claims: ct.claims, Tenant: e.tenant}, nil
}

// Test verifies a token for the tenant slug as Authenticate does, but always checks its
// signature and caches nothing: the settings screen's "paste a token" box.
func (s *Service) Test(ctx context.Context, slug, token string) (auth.Role, map[string]any, error) {
	e, err := s.tenant(ctx, slug)
	if err != nil {
		return "", nil, err
	}
	if e == nil || e.v == nil {
		return "", nil, notEnabled()
	}
	ct, err := s.verify(ctx, e, token, time.Now())
	if err != nil {
		return "", nil, err
	}
	return ct.role, ct.claims, nil
}

// verify checks a token's signature with the tenant's key, its times, issuer and
// audience, and the role it acts as.
func (s *Service) verify(ctx context.Context, e *tenantEntry, token string, now time.Time) (*cachedToken, error) {
	v := e.v
	if len(token) > maxTokenBytes {
		return nil, fail(apperr.TokenMalformed, "the token is longer than 16 KiB")
	}
	// The algorithm comes from the tenant's key: a token naming another (none, or HS256
	// over an RSA public key) is refused here, before any key is used.
	jws, err := jose.ParseSignedCompact(token, v.algs)
	var unexpected *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &unexpected) {
		return nil, fail(apperr.TokenBadAlgorithm, "the token is not signed with the algorithm of the tenant's key")
	} else if err != nil || len(jws.Signatures) != 1 {
		return nil, fail(apperr.TokenMalformed, "the token is not a signed JWT (header.payload.signature)")
	}
	hdr := jws.Signatures[0].Header
	key := v.key
	if key == nil {
		k, err := s.jwksKey(ctx, e.tenant.ID, v.JWKSURL, hdr.KeyID, hdr.Algorithm)
		if err != nil {
			return nil, err
		}
		key = k.key
	}
	payload, err := jws.Verify(key)
	s.verified.Add(1)
	if errors.Is(err, jose.ErrCryptoFailure) {
		return nil, fail(apperr.TokenBadSignature, "the token's signature does not verify with the tenant's key")
	} else if err != nil {
		return nil, fail(apperr.TokenMalformed, "the token's header is not one Forma accepts")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	var std jwt.Claims
	if dec.Decode(&claims) != nil || claims == nil {
		return nil, fail(apperr.TokenMalformed, "the token's claims are not a JSON object")
	}
	if json.Unmarshal(payload, &std) != nil {
		return nil, fail(apperr.TokenMalformed, "the token's iss, sub, aud, exp, nbf or iat has the wrong type")
	}
	if std.Expiry == nil {
		return nil, fail(apperr.TokenMalformed, "the token has no exp claim; Forma accepts only tokens that expire")
	}
	want := jwt.Expected{Issuer: v.Issuer, Time: now}
	if v.Audience != "" {
		want.AnyAudience = jwt.Audience{v.Audience}
	}
	switch err := std.ValidateWithLeeway(want, Skew); {
	case errors.Is(err, jwt.ErrExpired):
		return nil, fail(apperr.TokenExpired, "the token has expired (exp)")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, fail(apperr.TokenNotYetValid, "the token is not valid yet (nbf or iat)")
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, fail(apperr.TokenWrongIssuer, "the token's issuer (iss) is not the one the tenant accepts")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, fail(apperr.TokenWrongAudience, "the token's audience (aud) does not name the tenant's")
	case err != nil:
		return nil, fail(apperr.TokenMalformed, "the token's claims do not validate")
	}
	role, err := s.role(ctx, e, claims)
	if err != nil {
		return nil, err
	}
	return &cachedToken{tenantID: e.tenant.ID, version: e.version, role: role, claims: claims,
		expires: std.Expiry.Time().Add(Skew)}, nil
}

// role is the role a token acts as: its role claim, else (no claim, null or "") the
// tenant's default role. It must be a custom role of the tenant, or a built-in one the
// tenant allows tokens.
func (s *Service) role(ctx context.Context, e *tenantEntry, claims map[string]any) (auth.Role, error) {
	v := e.v
	name := v.DefaultRole
	if c, ok := claim(claims, v.RoleClaim); ok && c != nil && c != "" {
		str, isString := c.(string)
		if !isString {
			return "", fail(apperr.TokenRoleNotAllowed, "the token's role claim is not a string")
		}
		name = str
	}
	if name == "" {
		return "", fail(apperr.TokenRoleNotAllowed, "the token names no role and the tenant has no default role")
	}
	r := auth.Role(name)
	if r.BuiltIn() {
		if !slices.Contains(v.AllowedRoles, name) {
			return "", fail(apperr.TokenRoleNotAllowed, "tokens of this tenant may not act as the built-in role "+name)
		}
		return r, nil
	}
	ok := false
	if s.Roles != nil {
		var err error
		if ok, err = s.Roles.HasRole(ctx, e.tenant.Ref, name); err != nil {
			return "", err
		}
	}
	if !ok {
		return "", fail(apperr.TokenRoleNotAllowed, "the token's role is not a role of this tenant")
	}
	return r, nil
}

// claim returns the claim named path: the top-level claim of that exact name, else the
// nested one its dots lead to ("app_metadata.role"), as access.Claim reads a variable's.
// Unlike a variable's path, role_claim may be a namespaced claim whose own name holds
// dots ("https://example.com/role", as Auth0 writes them), hence the exact name first.
func claim(claims map[string]any, path string) (any, bool) {
	if v, ok := claims[path]; ok {
		return v, true
	}
	return access.Claim(claims, path)
}
