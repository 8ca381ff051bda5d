package schema

import (
	"strconv"
	"strings"
)

// canonicalNumber rewrites a decimal literal as "<digits>e<exponent>" with no leading or
// trailing zeros in digits ("0" for zero), so 3, 3.0, 0.3e1 and 30e-1 all become 3e0.
// A string that is not a number is quoted instead.
func canonicalNumber(s string) string {
	orig := s
	neg := strings.HasPrefix(s, "-")
	if neg || strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil || e > 1<<30 || e < -(1<<30) {
			return strconv.Quote(orig)
		}
		exp = e
	}
	digits := intPart + frac
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return strconv.Quote(orig)
	}
	if len(digits) > 1<<20 {
		return strconv.Quote(orig)
	}
	exp -= len(frac)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.Itoa(exp)
}
