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
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URL (file:DIR/)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL (UTF8 database with the C locale)")
	listen := flag.String("listen-addr", "127.0.0.1:27017", "host:port to listen on (port 0 picks a free one)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "exit when stdin closes (the parent process is gone)")
	lockFile := flag.String("lock-file", "", "hold an exclusive lock on this file while running (one server per data directory)")
	lockWait := flag.Duration("lock-wait", 5*time.Second, "how long to wait for another server to release -lock-file")
	syncEvery := flag.Duration("sqlite-sync-interval", 0, "0: SQLite syncs its log to disk at every commit; above 0: commits are written to the operating system at once and synced to disk at this interval (like MongoDB's journal commit interval)")
	authFile := flag.String("auth-password-file", "", "require authentication: user "+authUser+" (created on first start) with the password in this file")
	flag.Parse()

	// Everything this server creates (SQLite files, the lock) is for its owner only.
	syscall.Umask(0o077)

	if *lockFile != "" {
		lock(*lockFile, *lockWait)
	}

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
	if *authFile != "" {
		secret, err := os.ReadFile(*authFile)
		if err != nil || len(strings.TrimSpace(string(secret))) == 0 {
			fmt.Fprintf(os.Stderr, "cannot read -auth-password-file: %v\n", err)
			os.Exit(2)
		}
		conf.EnableNewAuth = true
		conf.SetupDatabase = "admin"
		conf.SetupUsername = authUser
		conf.SetupPassword = strings.TrimSpace(string(secret))
	}

	stopSync := func() {}
	switch *handler {
	case "sqlite":
		conf.SQLiteURL = *sqliteURL
		if *syncEvery > 0 {
			u, dir, err := relaxedSync(*sqliteURL)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bad -sqlite-url: %v\n", err)
				os.Exit(2)
			}
			conf.SQLiteURL = u
			stopSync = startWALSync(dir, *syncEvery, conf.Logger)
		}
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

	err = <-done
	stopSync()
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

// authUser is the one database user of the embedded server; the forum and the CLIs sign in as it.
const authUser = "chorus"

// lock takes an exclusive flock on path, waiting up to wait for another server to let it go. The kernel releases
// it when this process ends, however it ends, so a crash never leaves a stale lock, and a server still shutting
// down (an orphan of a killed forum) is waited for instead of being joined by a second one on the same files.
// The file holds the owner's pid, for the message of the one that cannot start.
func lock(path string, wait time.Duration) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot open lock file: %v\n", err)
		os.Exit(2)
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			owner, _ := os.ReadFile(path)
			fmt.Fprintf(os.Stderr, "LOCKED by pid %s\n", strings.TrimSpace(string(owner)))
			os.Exit(3)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	// f stays open (and locked) until the process exits.
	lockHolder = f
}

var lockHolder *os.File

// relaxedSync adds synchronous=NORMAL to the SQLite URL and returns it with the directory of the database files.
// In WAL mode (FerretDB's default) SQLite then writes each commit to the log without waiting for the disk: a commit
// survives any crash of this process or the forum (the operating system holds it), and only a crash of the machine
// can lose the last ones. startWALSync bounds those to one interval.
func relaxedSync(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	q := u.Query()
	q.Add("_pragma", "synchronous(normal)")
	u.RawQuery = q.Encode()
	dir := u.Opaque
	if dir == "" {
		dir = u.Path
	}
	return u.String(), dir, nil
}

// startWALSync syncs every SQLite write-ahead log in dir that changed since the last pass, each interval: the group
// commit of MongoDB's journal (commitIntervalMs, 100 ms), so that a crash of the machine loses at most the last
// interval's commits. Returns the stop, which runs a last pass.
func startWALSync(dir string, every time.Duration, log *slog.Logger) func() {
	seen := map[string]walState{}
	pass := func() {
		logs, _ := filepath.Glob(filepath.Join(dir, "*-wal"))
		for _, path := range logs {
			fi, err := os.Stat(path)
			if err != nil {
				continue
			}
			now := walState{size: fi.Size(), mod: fi.ModTime().UnixNano()}
			if seen[path] == now {
				continue
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				continue
			}
			err = f.Sync()
			f.Close()
			if err != nil {
				log.Error("write-ahead log not synced", slog.String("file", path), slog.String("error", err.Error()))
				continue
			}
			// File times move in coarse steps (a few ms): a write just after this sync may leave them as they were,
			// so a log written to that recently is synced again next time.
			if time.Since(fi.ModTime()) > 50*time.Millisecond {
				seen[path] = now
			} else {
				delete(seen, path)
			}
			log.Debug("write-ahead log synced", slog.String("file", path))
		}
	}
	ticker := time.NewTicker(every)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-ticker.C:
				pass()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		ticker.Stop()
		close(quit)
		<-finished
		pass()
	}
}

type walState struct {
	size int64
	mod  int64
}
