package dispatch

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"

	"siaga112/tracking"
)

// Agencies as data (issue 16). The plans file's agency lines, the leads of
// its plan lines, and a statement for the notification contacts:
//
//	contact <agency> <phone|whatsapp|email> <value> [<label…>]
//
// ParsePlans reads them through ParseAgencies into Plans.Agencies.

//go:embed plans.conf
var agencyPlans string

// DefaultAgencies returns Kota Serang's 9 city and 5 vertical agencies from
// the embedded plans.conf, each with the categories it leads. They have no
// contacts: the admins enter the real numbers; none is invented here.
func DefaultAgencies() []tracking.Agency {
	as, err := ParseAgencies(strings.NewReader(agencyPlans))
	if err != nil {
		panic("dispatch: embedded plans.conf: " + err.Error())
	}
	return as
}

// ParseAgencies reads the agencies of a plans-format file: agency lines,
// the lead agency of each plan line, and contact lines. An error names the
// line; nothing of a bad file is used. Plan lines are checked only as far
// as their lead (ParsePlans checks the rest).
func ParseAgencies(r io.Reader) ([]tracking.Agency, error) {
	var out []tracking.Agency
	index := map[string]int{}
	type lead struct {
		cat  tracking.Category
		code string
		line int
	}
	var leads []lead
	type contact struct {
		code string
		c    tracking.Contact
		line int
	}
	var contacts []contact
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return nil, fmt.Errorf("plans line %d: control characters", n)
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		fail := func(format string, args ...any) ([]tracking.Agency, error) {
			return nil, fmt.Errorf("plans line %d: %s", n, fmt.Sprintf(format, args...))
		}
		switch fields[0] {
		case "agency":
			if len(fields) < 4 {
				return fail("an agency needs a code, a kind (city or vertical) and a name")
			}
			code, kind := fields[1], tracking.AgencyKind(fields[2])
			if !keyPattern.MatchString(code) {
				return fail("agency code %q must be lower case letters, digits and '_'", code)
			}
			if kind != tracking.AgencyCity && kind != tracking.AgencyVertical {
				return fail("agency kind %q must be \"city\" or \"vertical\"", kind)
			}
			if _, dup := index[code]; dup {
				return fail("agency %q is defined twice", code)
			}
			name, nameEN := agencyNames(code, fields[3:])
			if len(name) > 120 {
				return fail("the name of %q is longer than 120 characters", code)
			}
			index[code] = len(out)
			out = append(out, tracking.Agency{Code: code, Kind: kind, Name: name, NameEN: nameEN, Leads: []tracking.Category{}, Contacts: []tracking.Contact{}})
		case "plan":
			spec, _, _ := strings.Cut(line, "|")
			f := strings.Fields(spec)
			if len(f) < 3 {
				return fail("a plan needs a category and a lead agency")
			}
			leads = append(leads, lead{tracking.Category(f[1]), f[2], n})
		case "contact":
			if len(fields) < 4 {
				return fail("a contact needs an agency, a kind (phone, whatsapp or email) and a value")
			}
			c, err := tracking.ValidateContact(tracking.Contact{Kind: tracking.ContactKind(fields[2]), Value: fields[3], Label: strings.Join(fields[4:], " ")})
			if err != nil {
				return fail("%v", err)
			}
			contacts = append(contacts, contact{fields[1], c, n})
		default:
			return fail("unknown statement %q: a line starts with \"agency\", \"plan\" or \"contact\"", fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("plans line %d: %v", n+1, err)
	}
	for _, l := range leads {
		i, ok := index[l.code]
		if !ok {
			return nil, fmt.Errorf("plans line %d: lead agency %q of %q is not defined by an agency line", l.line, l.code, l.cat)
		}
		if !slices.Contains(out[i].Leads, l.cat) {
			out[i].Leads = append(out[i].Leads, l.cat)
		}
	}
	for _, c := range contacts {
		i, ok := index[c.code]
		if !ok {
			return nil, fmt.Errorf("plans line %d: contact of %q, which no agency line defines", c.line, c.code)
		}
		if len(out[i].Contacts) == tracking.MaxContacts {
			return nil, fmt.Errorf("plans line %d: %q has more than %d contacts", c.line, c.code, tracking.MaxContacts)
		}
		out[i].Contacts = append(out[i].Contacts, c.c)
	}
	return out, nil
}
