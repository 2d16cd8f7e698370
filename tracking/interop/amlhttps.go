package interop

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"siaga112/geo"
	"siaga112/tracking"
)

// ParseAMLHTTPS decodes the AML data set a phone posts over HTTPS (a form:
// device_number, location_latitude, location_longitude, location_time in
// ms since 1970, location_accuracy in metres, location_source, …; other
// fields are ignored). The specification asks the receiver to answer every
// post with success, so nothing is refused here: a post that cannot place
// a caller is not Located, and Reason says why (naming the field).
func ParseAMLHTTPS(form url.Values, received time.Time) AML {
	a := AML{Version: form.Get("v")}
	if a.Version == "" {
		a.Version = "1"
	}
	a.IMSI, a.IMEI = clip(form.Get("device_imsi"), 20), clip(form.Get("device_imei"), 20)
	a.MCC, a.MNC = clip(form.Get("cell_network_mcc"), 5), clip(form.Get("cell_network_mnc"), 5)
	notLocated := func(format string, args ...any) AML {
		a.Reason = fmt.Sprintf(format, args...)
		return a
	}

	number, err := tracking.NormalizePhone(form.Get("device_number"))
	if err != nil {
		return notLocated("device_number %q is not a phone number", clip(form.Get("device_number"), 40))
	}
	latS, lonS := strings.TrimSpace(form.Get("location_latitude")), strings.TrimSpace(form.Get("location_longitude"))
	if latS == "" && lonS == "" {
		return notLocated("the phone sent no position (location_latitude and location_longitude are empty)")
	}
	lat, err := parseDegrees(latS)
	if err != nil || !geo.ValidLat(lat) {
		return notLocated("location_latitude %q: the latitude must be decimal degrees within ±90", clip(latS, 20))
	}
	lon, err := parseDegrees(lonS)
	if err != nil || !geo.ValidLon(lon) {
		return notLocated("location_longitude %q: the longitude must be decimal degrees within ±180", clip(lonS, 20))
	}
	if lat == 0 && lon == 0 {
		return notLocated("the position 0, 0 is no fix")
	}
	accS := strings.TrimSpace(form.Get("location_accuracy"))
	radius, err := strconv.ParseFloat(accS, 64)
	if err != nil || !(radius >= 0 && radius < 1e7) {
		return notLocated("location_accuracy %q must be the radius in metres", clip(accS, 20))
	}
	fix := received
	if ms := strings.TrimSpace(form.Get("location_time")); ms != "" {
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || n <= 0 {
			return notLocated("location_time %q must be milliseconds since 1970", clip(ms, 20))
		}
		fix = time.UnixMilli(n).UTC()
	}
	var conf *int
	for _, name := range []string{"location_confidence", "location_certainty"} {
		if s := strings.TrimSpace(form.Get(name)); s != "" {
			if conf, err = parsePercent(s); err != nil {
				return notLocated("%s %q must be a percentage 0 to 100", name, clip(s, 10))
			}
			break
		}
	}
	a.Located = true
	a.Location = tracking.CallerLocation{
		Number: number, Lat: lat, Lon: lon, RadiusM: radius,
		Source: tracking.SourceAMLHTTPS, Method: amlHTTPSMethod(form.Get("location_source")),
		ConfidencePct: conf, At: fix, ReceivedAt: received,
	}
	return a
}

// amlHTTPSMethod maps location_source ("gps", "wifi", "cell", "fused", …).
func amlHTTPSMethod(s string) tracking.PositionMethod {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "gps", "gnss", "glonass", "galileo", "beidou", "satellite":
		return tracking.MethodGNSS
	case "wifi", "wi-fi", "wlan":
		return tracking.MethodWiFi
	case "cell", "cellular", "network":
		return tracking.MethodCell
	}
	return tracking.MethodUnknown
}
