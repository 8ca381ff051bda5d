package fieldtype

import (
	"math"
	"strings"

	"forma.dev/shared/problem"
)

// decimal is a parsed number: digits × 10^exp, negative when neg. digits has no leading
// zeros and is empty for zero.
type decimal struct {
	neg    bool
	digits string
	exp    int
}

// maxExp caps exponents: no column holds 10^1e9, and the cap keeps arithmetic in range.
const maxExp = 1_000_000_000

// parseDecimal reads [+-]digits[.digits][e[+-]digits] (a JSON number, also "+1", ".5", "5.").
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	start := i
	i = skipDigits(s, i)
	ip, fp := s[start:i], ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		i = skipDigits(s, i)
		fp = s[fs:i]
	}
	if ip == "" && fp == "" {
		return d, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		es := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if d.exp < maxExp {
				d.exp = d.exp*10 + int(s[i]-'0')
			}
		}
		if i == es {
			return d, false
		}
		d.exp = min(d.exp, maxExp)
		if neg {
			d.exp = -d.exp
		}
	}
	if i != len(s) {
		return d, false
	}
	d.digits = ip
	if fp != "" {
		d.digits = ip + fp
		d.exp -= len(fp)
	}
	d.digits = strings.TrimLeft(d.digits, "0")
	return d, true
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// int64 returns the number when it is whole and fits in an int64.
func (d decimal) int64() (int64, *problem.Problem) {
	digits, exp := d.digits, d.exp
	for exp < 0 && digits != "" && digits[len(digits)-1] == '0' {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	switch {
	case digits == "":
		return 0, nil
	case exp < 0:
		return 0, invalidType("a whole number")
	case len(digits)+exp > 19:
		return 0, outOfInt64(d.neg)
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		u = u*10 + uint64(digits[i]-'0')
	}
	for ; exp > 0; exp-- {
		u *= 10
	}
	switch {
	case d.neg && u > 1<<63, !d.neg && u > math.MaxInt64:
		return 0, outOfInt64(d.neg)
	case d.neg:
		return int64(^u + 1), nil
	}
	return int64(u), nil
}

func outOfInt64(neg bool) *problem.Problem {
	if neg {
		return fail(problem.Min, map[string]any{"min": int64(math.MinInt64)})
	}
	return fail(problem.Max, map[string]any{"max": int64(math.MaxInt64)})
}
