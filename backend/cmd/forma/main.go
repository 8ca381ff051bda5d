// Command forma is the Forma server.
package main

func main() {}
