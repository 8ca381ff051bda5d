//go:build js && wasm

// Command wasm exposes shared (field types, validation, planning) to JavaScript as
// globalThis.forma: functions that take strings (JSON) and return a JSON string, or an
// Error value (returned, not thrown: Go cannot throw into JavaScript) when an argument
// is wrong or shared panicked. wasm/forma.mjs wraps them into functions that parse the
// JSON and throw the Error. The module never exits.
package main

import (
	"strconv"
	"syscall/js"
)

func main() {
	forma := js.Global().Get("Object").New()
	for name := range exports {
		forma.Set(name, js.FuncOf(wrap(name)))
	}
	forma.Set("ready", true)
	js.Global().Set("forma", forma)
	select {}
}

// wrap adapts the export name to syscall/js: it checks that every argument is a
// string, calls the pure function and turns any failure into a JavaScript Error.
func wrap(name string) func(this js.Value, args []js.Value) any {
	return func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil { // a failure in syscall/js itself
				result = jsError("forma." + name + ": internal error")
			}
		}()
		strs := make([]string, len(args))
		for i, a := range args {
			if a.Type() != js.TypeString {
				return jsError("forma." + name + ": argument " + strconv.Itoa(i+1) + " must be a string, not " + a.Type().String())
			}
			strs[i] = a.String()
		}
		out, err := call(name, strs)
		if err != nil {
			return jsError(err.Error())
		}
		return out
	}
}

// jsError makes a JavaScript Error value with the message msg.
func jsError(msg string) js.Value {
	return js.Global().Get("Error").New(msg)
}
