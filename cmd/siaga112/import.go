package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// importHistory is `siaga112 import [--api URL] [--token T] FILE`: it sends a
// history CSV to a running server, which checks every row and imports all
// of it or nothing.
func importHistory(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("siaga112 import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	api := fs.String("api", "http://localhost:8080", "the running server's base URL")
	token := fs.String("token", os.Getenv("SIAGA112_TOKEN"), "bearer token (also $SIAGA112_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: siaga112 import [--api URL] [--token T] history.csv")
		fmt.Fprintln(stderr, "columns: id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at (RFC 3339 times)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "siaga112 import:", err)
		return 1
	}
	req, _ := http.NewRequest(http.MethodPost, strings.TrimRight(*api, "/")+"/api/history/incidents", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "siaga112 import:", err)
		return 1
	}
	defer resp.Body.Close()
	var out struct {
		Error    string `json:"error"`
		Rows     any    `json:"rows"`
		Imported int    `json:"imported"`
		Total    int    `json:"bad_rows"`
	}
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "siaga112 import: %s: %s\n", resp.Status, out.Error)
		if rows, ok := out.Rows.([]any); ok {
			for _, r := range rows {
				if m, ok := r.(map[string]any); ok {
					fmt.Fprintf(stderr, "  row %v: %v\n", m["row"], m["reason"])
				}
			}
		}
		return 1
	}
	fmt.Fprintf(stdout, "imported %d new of %v rows in %s\n", out.Imported, out.Rows, time.Since(start).Round(time.Millisecond))
	return 0
}
