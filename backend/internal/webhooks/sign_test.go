package webhooks_test

import (
	"strings"
	"testing"

	"forma.dev/backend/internal/webhooks"
)

// The test vector of the Standard Webhooks specification.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheStandardWebhooksVector(t *testing.T) {
	t.Parallel()
	got, err := webhooks.Sign(vectorID, vectorTS, []byte(vectorBody), vectorSecret)
	if err != nil || got != vectorSig {
		t.Fatalf("Sign = %q, %v; want %q", got, err, vectorSig)
	}
	if !webhooks.Verify(vectorSecret, vectorID, vectorTS, []byte(vectorBody), "v1,bogus "+vectorSig) {
		t.Fatal("Verify rejects the vector among several signatures")
	}
	scenarios := []struct{ name, id, body string }{
		{"other id", "msg_other", vectorBody},
		{"other body", vectorID, `{"test": 2432232315}`},
	}
	for _, sc := range scenarios {
		if webhooks.Verify(vectorSecret, sc.id, vectorTS, []byte(sc.body), vectorSig) {
			t.Errorf("%s: Verify accepts a signature of another message", sc.name)
		}
	}
}

func TestSignWithTwoSecretsGivesTwoSignatures(t *testing.T) {
	t.Parallel()
	other := webhooks.NewSecret()
	got, err := webhooks.Sign(vectorID, vectorTS, []byte(vectorBody), other, vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Fields(got); len(parts) != 2 || parts[1] != vectorSig {
		t.Fatalf("Sign = %q, want two signatures, the vector's second", got)
	}
	for _, s := range []string{other, vectorSecret} {
		if !webhooks.Verify(s, vectorID, vectorTS, []byte(vectorBody), got) {
			t.Errorf("%s does not verify", s)
		}
	}
}

func TestNewSecretIsWhsecAnd24RandomBytes(t *testing.T) {
	t.Parallel()
	a, b := webhooks.NewSecret(), webhooks.NewSecret()
	if !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+32 || a == b {
		t.Fatalf("NewSecret = %q, %q", a, b)
	}
	if _, err := webhooks.Sign("x", 1, nil, "whsec_not base64!"); err == nil {
		t.Fatal("a malformed secret signs")
	}
}
