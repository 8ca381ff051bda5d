// Command forma is the Forma server.
//
//	forma serve      start the API (runs migrations first)
//	forma migrate    create or upgrade the control schema, then exit
//	forma createdb   create the database named in DATABASE_URL if it is missing
//
// Configuration comes from the environment; see internal/config.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/logbuf"
)

// defaultGOGC is the GOGC forma runs with unless the environment sets one.
const defaultGOGC = 400

const usage = `usage: forma <command>

commands:
  serve      start the API on FORMA_ADDR (runs migrations first)
  migrate    create or upgrade the control schema in DATABASE_URL, then exit
  createdb   create the database named in DATABASE_URL if it is missing

environment (see the README's Configuration):
`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprint(os.Stderr, usage, "  ", strings.Join(config.Vars, "\n  "), "\n")
		os.Exit(2)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forma:", err)
		os.Exit(2)
	}
	if os.Getenv("GOGC") == "" {
		// Forma's live heap is small (caches of compiled models, keys and OpenAPI
		// documents) and what a request allocates dies with it: letting the heap grow to
		// five times the live one before a collection, not twice, means a quarter as
		// many collections for some megabytes of memory.
		debug.SetGCPercent(defaultGOGC)
	}
	logOut := logbuf.New(os.Stderr)
	log := newLogger(cfg, logOut)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, cfg, log)
	case "migrate":
		err = migrate(ctx, cfg)
	case "createdb":
		err = createDB(ctx, cfg.DatabaseURL, log)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprint(os.Stderr, usage, "  ", strings.Join(config.Vars, "\n  "), "\n")
		os.Exit(2)
	}
	if err != nil {
		log.Error("forma "+os.Args[1]+" failed", "err", err)
	}
	_ = logOut.Close()
	if err != nil {
		os.Exit(1)
	}
}

// newLogger returns the process logger, text or JSON on out.
func newLogger(cfg config.Config, out io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}
