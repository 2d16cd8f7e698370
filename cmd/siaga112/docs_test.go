package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// The documentation is held to the code: README.md and docs/**/*.md link
// only to files and headings that exist (GitHub's anchor rules), the
// README stays a page a newcomer reads, and docs/operations.md's flag
// table is exactly what `siaga112 -h` prints.

const (
	repoRoot      = "../.."
	maxREADME     = 16 << 10
	flagTableDoc  = "docs/operations.md"
	flagTableHead = "every-flag"
)

func TestREADMESize(t *testing.T) {
	fi, err := os.Stat(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > maxREADME {
		t.Errorf("README.md is %d bytes, more than %d: move the detail into docs/ and link it", fi.Size(), maxREADME)
	}
}

func TestDocsLinksResolve(t *testing.T) {
	files := []string{filepath.Join(repoRoot, "README.md")}
	err := filepath.WalkDir(filepath.Join(repoRoot, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatal("no Markdown files under docs/")
	}
	for _, f := range files {
		for _, problem := range checkLinks(f) {
			t.Errorf("%s: %s", f, problem)
		}
	}
}

// TestCheckLinksFinds shows the checker fails on what it is there to catch.
func TestCheckLinksFinds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("other.md", "# Other doc\n## Every flag (`--x`)\n")
	tests := []struct {
		name, text string
		problems   int
	}{
		{"good links", "# A\n[x](other.md) [y](other.md#every-flag---x) [z](#a) [w](https://example.com/nowhere)\n", 0},
		{"missing file", "[x](nothere.md)\n", 1},
		{"missing anchor", "[x](other.md#every-flags)\n", 1},
		{"missing local anchor", "# A\n[x](#b)\n", 1},
		{"links in code are not links", "```\n[x](nothere.md)\n```\n`[y](nothere.md)`\n", 0},
		{"image", "![pic](img/none.png)\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkLinks(write("t.md", tt.text)); len(got) != tt.problems {
				t.Errorf("%d problems, want %d: %q", len(got), tt.problems, got)
			}
		})
	}
}

func TestGitHubAnchor(t *testing.T) {
	tests := []struct{ name, heading, want string }{
		{"plain", "Quick start", "quick-start"},
		{"code and parentheses", "Streets (`--osm`)", "streets---osm"},
		{"apostrophe and colon", "Another city's boundaries: here", "another-citys-boundaries-here"},
		{"link text", "See [the API](api.md) now", "see-the-api-now"},
		{"emphasis and underscore", "The **snake_case** name", "the-snake_case-name"},
		{"non-ASCII letters", "Kecamatan — Ciruas", "kecamatan--ciruas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := anchor(tt.heading); got != tt.want {
				t.Errorf("anchor(%q) = %q, want %q", tt.heading, got, tt.want)
			}
		})
	}
}

func TestFlagTableMatchesFlags(t *testing.T) {
	fset := flag.NewFlagSet("siaga112", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	parseConfig(fset, nil, func(string) (string, bool) { return "", false })
	text, err := os.ReadFile(filepath.Join(repoRoot, flagTableDoc))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := flagTable(string(text))
	if err != nil {
		t.Fatal(err)
	}
	fset.VisitAll(func(f *flag.Flag) {
		cell, ok := rows[f.Name]
		if !ok {
			t.Errorf("--%s (%s) is missing from the flag table of %s", f.Name, f.Usage, flagTableDoc)
			return
		}
		if !mentionsDefault(cell, f.DefValue) {
			t.Errorf("--%s: the table's default %q does not show the flag's default %q", f.Name, cell, f.DefValue)
		}
	})
	for name := range rows {
		if fset.Lookup(name) == nil {
			t.Errorf("%s lists --%s, which siaga112 does not have", flagTableDoc, name)
		}
	}
}

var (
	fence      = regexp.MustCompile("^\\s*(```|~~~)")
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	linkTarget = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	atxHeading = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	htmlID     = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	inlineLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	htmlTag    = regexp.MustCompile(`<[^>]+>`)
	flagName   = regexp.MustCompile("`--([a-z0-9-]+)`")
	tickToken  = regexp.MustCompile("`([^`]+)`")
)

// prose returns a Markdown file's lines outside fenced code blocks.
func prose(text string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		if fence.MatchString(l) {
			in = !in
			continue
		}
		if !in {
			out = append(out, l)
		}
	}
	return out
}

// anchors lists the fragments GitHub gives a file's headings (a repeated
// one gets -1, -2, …) and its explicit <a name|id> anchors.
func anchors(text string) map[string]bool {
	out, seen := map[string]bool{}, map[string]int{}
	for _, l := range prose(text) {
		for _, m := range htmlID.FindAllStringSubmatch(l, -1) {
			out[m[1]] = true
		}
		m := atxHeading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		a := anchor(m[1])
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// anchor is GitHub's heading fragment: the heading's text as rendered,
// lower case, keeping letters, marks, numbers, connector punctuation,
// spaces and hyphens, spaces made hyphens.
func anchor(heading string) string {
	s := inlineLink.ReplaceAllString(heading, "$1")
	s = htmlTag.ReplaceAllString(s, "")
	s = strings.NewReplacer("`", "", "*", "").Replace(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkLinks returns a sentence for each relative link or image of file
// whose file or #fragment does not exist.
func checkLinks(file string) []string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, l := range prose(string(raw)) {
		l = codeSpan.ReplaceAllString(l, "")
		var targets []string
		for _, m := range linkTarget.FindAllStringSubmatch(l, -1) {
			targets = append(targets, m[1])
		}
		if m := refDef.FindStringSubmatch(l); m != nil {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if p := checkTarget(file, target); p != "" {
				problems = append(problems, p)
			}
		}
	}
	return problems
}

func checkTarget(file, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Sprintf("link %q: %v", target, err)
	}
	if u.Scheme != "" || u.Host != "" {
		return "" // outside the repository
	}
	dest := file
	if u.Path != "" {
		dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(u.Path))
		if _, err := os.Stat(dest); err != nil {
			return fmt.Sprintf("link %q: no such file or folder %s", target, dest)
		}
	}
	if u.Fragment == "" {
		return ""
	}
	if !strings.HasSuffix(dest, ".md") {
		return fmt.Sprintf("link %q: a #fragment into %s, which is not Markdown", target, dest)
	}
	text, err := os.ReadFile(dest)
	if err != nil {
		return fmt.Sprintf("link %q: %v", target, err)
	}
	if !anchors(string(text))[u.Fragment] {
		return fmt.Sprintf("link %q: %s has no heading with anchor #%s", target, dest, u.Fragment)
	}
	return ""
}

// flagTable reads the first table under the "every flag" heading: each
// flag named in a row's first cell, with that row's default cell. A flag in
// two rows is an error.
func flagTable(text string) (map[string]string, error) {
	rows := map[string]string{}
	lines := prose(text)
	start := slices.IndexFunc(lines, func(l string) bool {
		m := atxHeading.FindStringSubmatch(l)
		return m != nil && anchor(m[1]) == flagTableHead
	})
	if start < 0 {
		return nil, fmt.Errorf("%s has no heading #%s", flagTableDoc, flagTableHead)
	}
	inTable := false
	for _, l := range lines[start+1:] {
		if !strings.HasPrefix(strings.TrimSpace(l), "|") {
			if inTable {
				break
			}
			if atxHeading.MatchString(l) {
				break
			}
			continue
		}
		inTable = true
		cells := tableCells(l)
		if len(cells) < 3 {
			continue
		}
		for _, m := range flagName.FindAllStringSubmatch(cells[0], -1) {
			if _, dup := rows[m[1]]; dup {
				return nil, fmt.Errorf("--%s is in two rows of the flag table", m[1])
			}
			rows[m[1]] = cells[1]
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no flag table under #%s in %s", flagTableHead, flagTableDoc)
	}
	return rows, nil
}

// tableCells splits a table row on the pipes outside code spans.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	var b strings.Builder
	inCode := false
	for _, r := range row {
		switch {
		case r == '`':
			inCode = !inCode
		case r == '|' && !inCode:
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(cells, strings.TrimSpace(b.String()))
}

// mentionsDefault says whether a default cell shows def: as a code span
// equal to it, as text, duration or number (a zero or empty default needs
// no mention; the host name stands as <hostname>).
func mentionsDefault(cell, def string) bool {
	switch def {
	case "", "0", "0s", "false":
		return true
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		def = strings.ReplaceAll(def, host, "<hostname>")
	}
	for _, m := range tickToken.FindAllStringSubmatch(cell, -1) {
		tok := m[1]
		if strings.EqualFold(tok, def) {
			return true
		}
		if a, err := time.ParseDuration(tok); err == nil {
			if b, err := time.ParseDuration(def); err == nil && a == b {
				return true
			}
		}
		if a, err := strconv.ParseFloat(tok, 64); err == nil {
			if b, err := strconv.ParseFloat(def, 64); err == nil && a == b {
				return true
			}
		}
	}
	return false
}
