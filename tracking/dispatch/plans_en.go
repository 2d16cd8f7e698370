package dispatch

import (
	"strings"
	"sync"

	"siaga112/tracking"
)

// English names (issue 26 item 10). A plans file gives them after a second
// '|' of a plan line, or after a '|' in an agency line's name. A file that
// does not gets the built-in plans.conf's English for the same category or
// agency code, else the Indonesian. The built-in file names every one, so
// reading it never comes back here.

type englishNames struct{ categories, agencies map[string]string }

var (
	builtinOnce sync.Once
	builtin     englishNames
)

// builtinEN reads the built-in file's English once.
func builtinEN() englishNames {
	builtinOnce.Do(func() {
		p := DefaultPlans()
		builtin = englishNames{map[string]string{}, map[string]string{}}
		for _, pl := range p.All() {
			builtin.categories[string(pl.Category)] = pl.LabelEN
		}
		for _, a := range p.Agencies {
			builtin.agencies[a.Code] = a.NameEN
		}
	})
	return builtin
}

func englishLabel(c tracking.Category, label string) string {
	if en := builtinEN().categories[string(c)]; en != "" {
		return en
	}
	return label
}

func englishAgency(code, name string) string {
	if en := builtinEN().agencies[code]; en != "" {
		return en
	}
	return name
}

// agencyNames splits an agency line's name words into the name and its
// English name ("Dinas Kesehatan | Health Office").
func agencyNames(code string, words []string) (name, nameEN string) {
	name, nameEN, _ = strings.Cut(strings.Join(words, " "), "|")
	name, nameEN = strings.TrimSpace(name), strings.TrimSpace(nameEN)
	if nameEN == "" {
		nameEN = englishAgency(code, name)
	}
	return name, nameEN
}
