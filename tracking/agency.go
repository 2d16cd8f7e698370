package tracking

import (
	"net/mail"
	"regexp"
	"strings"
)

// AgencyKind: a city agency (OPD, under the mayor) or a vertical one
// (national bodies' local offices: police, military, SAR, utilities).
type AgencyKind string

const (
	AgencyCity     AgencyKind = "city"
	AgencyVertical AgencyKind = "vertical"
)

// Agency takes cases: the lead agency of a category must acknowledge each
// case within the SOP deadline.
type Agency struct {
	Code     string     `json:"code"`
	Name     string     `json:"name"`
	NameEN   string     `json:"name_en,omitempty"` // in English, for the page in English
	Kind     AgencyKind `json:"kind"`
	Leads    []Category `json:"leads"`    // the categories it leads, in plans-file order
	Contacts []Contact  `json:"contacts"` // where its notifications go
}

// ContactKind is how an agency is reached.
type ContactKind string

const (
	ContactPhone    ContactKind = "phone"    // SMS
	ContactWhatsApp ContactKind = "whatsapp" // through the city's WhatsApp gateway
	ContactEmail    ContactKind = "email"
)

// Contact is one address of an agency for notifications.
type Contact struct {
	Kind  ContactKind `json:"kind"`
	Value string      `json:"value"` // phone numbers in E.164 (+62…), e-mail as a bare address
	Label string      `json:"label,omitempty"`
}

// MaxContacts bounds an agency's contacts.
const MaxContacts = 10

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ValidateContact checks a contact and normalizes it: a phone number by
// NormalizePhone's rule, written in E.164 (0812…, 62812…, 0062812… become
// +62812…).
func ValidateContact(c Contact) (Contact, error) {
	if len(c.Label) > 80 || strings.ContainsFunc(c.Label, isControl) {
		return c, Errorf(CodeInvalid, "a contact label is at most 80 characters, without control characters")
	}
	switch c.Kind {
	case ContactPhone, ContactWhatsApp:
		// The callers' rule (phone.go), written in E.164 for the gateways.
		n, err := NormalizePhone(c.Value)
		e, ok := PhoneE164(n)
		if err != nil || !ok {
			return c, Errorf(CodeInvalid, "%s contact %q is not a phone number (+62812… or 0812…)", c.Kind, truncate(c.Value, 40))
		}
		c.Value = e
	case ContactEmail:
		a, err := mail.ParseAddress(c.Value)
		if err != nil || a.Name != "" || a.Address != c.Value || len(c.Value) > 254 {
			return c, Errorf(CodeInvalid, "e-mail contact %q is not a bare e-mail address", truncate(c.Value, 40))
		}
	default:
		return c, Errorf(CodeInvalid, "contact kind %q must be phone, whatsapp or email", truncate(string(c.Kind), 20))
	}
	return c, nil
}

// ValidateContacts checks a whole list (as an admin replaces it).
func ValidateContacts(cs []Contact) ([]Contact, error) {
	if len(cs) > MaxContacts {
		return nil, Errorf(CodeInvalid, "an agency has at most %d contacts", MaxContacts)
	}
	out := make([]Contact, 0, len(cs))
	for _, c := range cs {
		v, err := ValidateContact(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
