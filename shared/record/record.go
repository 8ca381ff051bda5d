// Package record validates and normalises records of a model: the values an app sends
// to create, replace or patch a row, checked with the same codes the browser shows.
package record
