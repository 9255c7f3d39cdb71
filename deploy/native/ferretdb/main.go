// Command ferretdb runs FerretDB 1.x with its SQLite backend for Kindred's native infrastructure.
//
// Why a wrapper: `go install .../cmd/ferretdb@v1.24.2` panics at start because the module lacks
// build/version/version.txt; embedding the ferretdb package avoids that.
package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("dir", "data/", "SQLite directory (one database file per MongoDB database)")
	flag.Parse()

	sqliteDir := *dir
	// FerretDB treats the SQLite URL as a directory only when it ends with a slash.
	if !strings.HasSuffix(sqliteDir, "/") {
		sqliteDir += "/"
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + sqliteDir,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f.Run(ctx)
}
