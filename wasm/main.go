//go:build js && wasm

// Command wasm exposes shared (field types, validation, planning) to JavaScript.
package main

func main() { select {} }
