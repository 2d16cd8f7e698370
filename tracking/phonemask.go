package tracking

import "strings"

// MaskPhone keeps a phone number's last 4 characters for outside systems
// (webhooks, CAP, EIDO), which need the case, not the number:
// "081234567890" → "********7890". Numbers of 4 characters or fewer are
// masked whole; AnonymousCaller is no number and stays as it is.
func MaskPhone(n string) string {
	if n == AnonymousCaller {
		return n
	}
	r := []rune(n)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}
