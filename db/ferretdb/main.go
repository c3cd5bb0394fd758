// Command chorus-ferretdb runs FerretDB v1.24.2 as the embedded database of Chorus.
//
// It imports the embeddable package instead of `go install`ing cmd/ferretdb, because the
// module does not ship build/version/version.txt and that binary panics at start.
// The embeddable package keeps telemetry off and opens no debug listener, so two can run at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URL (file:DIR/)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL (UTF8 database with the C locale)")
	listen := flag.String("listen-addr", "127.0.0.1:27017", "host:port to listen on (port 0 picks a free one)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "exit when stdin closes (the parent process is gone)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "bad -log-level: %v\n", err)
		os.Exit(2)
	}

	conf := ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  *handler,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	switch *handler {
	case "sqlite":
		conf.SQLiteURL = *sqliteURL
	case "postgresql":
		conf.PostgreSQLURL = *pgURL
	default:
		fmt.Fprintf(os.Stderr, "unknown handler %q\n", *handler)
		os.Exit(2)
	}

	f, err := ferretdb.New(&conf)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		// The parent holds our stdin open; EOF means it died, even by SIGKILL, so we must not outlive it.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// The parent reads this line to learn the address (port 0 resolves only after listening).
	fmt.Printf("READY %s\n", f.MongoDBURI())
	os.Stdout.Sync()

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}
