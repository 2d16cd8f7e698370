package dispatch

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"siaga112/tracking"
)

// Need is how many units of one type a plan sends.
type Need struct {
	Type  tracking.UnitType `json:"type"`
	Count int               `json:"count"`
}

// Plan is the response to one category of case.
type Plan struct {
	Category tracking.Category `json:"category"`
	Label    string            `json:"label"`
	LabelEN  string            `json:"label_en"` // the label in English (issue 26 item 10)
	Lead     string            `json:"lead_agency"`
	Needs    []Need            `json:"needs"` // empty: routed to Lead, no vehicle
}

// Plans is the whole configuration: agencies and plans by category.
type Plans struct {
	Agencies []tracking.Agency // with the categories each leads and its contacts
	plans    map[tracking.Category]Plan
	order    []tracking.Category
}

// Plan returns the plan of a category.
func (p *Plans) Plan(c tracking.Category) (Plan, error) {
	pl, ok := p.plans[c]
	if !ok {
		return Plan{}, tracking.Errorf(tracking.CodeInvalid, "unknown category %q: use one of %s", c, strings.Join(p.categoryNames(), ", "))
	}
	return pl, nil
}

// All returns every plan in file order.
func (p *Plans) All() []Plan {
	out := make([]Plan, len(p.order))
	for i, c := range p.order {
		out[i] = p.plans[c]
	}
	return out
}

func (p *Plans) categoryNames() []string {
	out := make([]string, len(p.order))
	for i, c := range p.order {
		out[i] = string(c)
	}
	return out
}

//go:embed plans.conf
var defaultPlans string

// DefaultPlans returns Kota Serang's default plans (plans.conf beside this
// file, which also documents the format).
func DefaultPlans() *Plans {
	p, err := ParsePlans(strings.NewReader(defaultPlans))
	if err != nil {
		panic("dispatch: embedded plans.conf: " + err.Error())
	}
	return p
}

// MaxPlansFile bounds a plans file.
const MaxPlansFile = 1 << 20

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ParsePlans reads a plans file. An error names the line and what is wrong
// with it; nothing of a bad file is used.
func ParsePlans(r io.Reader) (*Plans, error) {
	// Read once, parse twice: the agencies (with their leads and contact
	// lines, agencies.go) and the plans.
	text, err := io.ReadAll(io.LimitReader(r, MaxPlansFile+1))
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	if len(text) > MaxPlansFile {
		return nil, fmt.Errorf("plans: the file is longer than %d bytes", MaxPlansFile)
	}
	as, err := ParseAgencies(strings.NewReader(string(text)))
	if err != nil {
		return nil, err
	}
	r = strings.NewReader(string(text))
	p := &Plans{plans: map[tracking.Category]Plan{}, Agencies: as}
	agencies := map[string]bool{}
	leadLine := map[tracking.Category]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		fail := func(format string, args ...any) (*Plans, error) {
			return nil, fmt.Errorf("plans line %d: %s", n, fmt.Sprintf(format, args...))
		}
		switch fields[0] {
		case "agency":
			if len(fields) < 4 {
				return fail("an agency needs a code, a kind (city or vertical) and a name")
			}
			code, kind := fields[1], fields[2]
			if !keyPattern.MatchString(code) {
				return fail("agency code %q must be lower case letters, digits and '_'", code)
			}
			if kind != "city" && kind != "vertical" {
				return fail("agency kind %q must be \"city\" or \"vertical\"", kind)
			}
			if agencies[code] {
				return fail("agency %q is defined twice", code)
			}
			agencies[code] = true
		case "plan":
			spec, label, _ := strings.Cut(line, "|")
			f := strings.Fields(spec)
			if len(f) < 3 {
				return fail("a plan needs a category and a lead agency")
			}
			cat, lead := tracking.Category(f[1]), f[2]
			if !keyPattern.MatchString(string(cat)) {
				return fail("category %q must be lower case letters, digits and '_'", cat)
			}
			if _, dup := p.plans[cat]; dup {
				return fail("category %q has a plan already", cat)
			}
			label, labelEN, _ := strings.Cut(label, "|")
			pl := Plan{Category: cat, Lead: lead, Label: strings.TrimSpace(label), LabelEN: strings.TrimSpace(labelEN)}
			if pl.Label == "" {
				pl.Label = string(cat)
			}
			if pl.LabelEN == "" {
				pl.LabelEN = englishLabel(cat, pl.Label)
			}
			seen := map[tracking.UnitType]bool{}
			for _, tok := range f[3:] {
				k, v, ok := strings.Cut(tok, "=")
				if !ok {
					return fail("%q is not <unit-type>=<count>", tok)
				}
				t, err := tracking.ParseUnitType(k)
				if err != nil {
					return fail("%v", err)
				}
				c, err := strconv.Atoi(v)
				if err != nil || c < 1 || c > 20 {
					return fail("count %q of %s must be a whole number from 1 to 20", v, k)
				}
				if seen[t] {
					return fail("%s is named twice", t)
				}
				seen[t] = true
				pl.Needs = append(pl.Needs, Need{Type: t, Count: c})
			}
			p.plans[cat] = pl
			p.order = append(p.order, cat)
			leadLine[cat] = n
		case "contact": // read by ParseAgencies
		default:
			return fail("unknown statement %q: a line starts with \"agency\", \"plan\" or \"contact\"", fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("plans line %d: %v", n+1, err)
	}
	for _, c := range p.order {
		if !agencies[p.plans[c].Lead] {
			return nil, fmt.Errorf("plans line %d: lead agency %q of %q is not defined by an agency line", leadLine[c], p.plans[c].Lead, c)
		}
	}
	if len(p.order) == 0 {
		return nil, fmt.Errorf("plans: the file defines no plan")
	}
	return p, nil
}
