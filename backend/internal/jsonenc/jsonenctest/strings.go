// Package jsonenctest holds what the tests of JSON writers share.
package jsonenctest

// TrickyStrings are strings whose JSON encoding is easy to get wrong.
var TrickyStrings = []string{
	"", "plain", `quote " and backslash \`, "slash / stays", "<script>&amp;</script>",
	"controls \x00\x01\x07\b\f\n\r\t\x1f\x7f", "line\u2028para\u2029sep", "é ünïcödé 😀 日本",
	"invalid \xff\xfe utf-8 \xc3", "truncated \xe2\x80", "\xed\xa0\x80 surrogate", "U+FFFD \ufffd itself",
}
