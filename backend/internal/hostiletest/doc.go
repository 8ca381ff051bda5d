// Package hostiletest walks every route of the API with hostile input (malformed,
// huge, deep and duplicate-keyed bodies, NUL and broken UTF-8 in every free-text value,
// mangled query strings and headers, made-up methods) against a real server on a real
// database, and asserts that each answer is a problem document with a stable code,
// never a 5xx or a hang, and that nothing a refused request carried was stored. Its fuzz
// target does the same with generated requests.
package hostiletest
