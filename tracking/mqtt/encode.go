package mqtt

import (
	"strconv"

	"siaga112/tracking"
)

// AppendLocation appends the OwnTracks location JSON of p to buf, as a
// tracker would publish it. tst carries milliseconds as a fraction, so fixes
// less than a second apart keep their order.
func AppendLocation(buf []byte, p tracking.Position, tid string) []byte {
	buf = append(buf, `{"_type":"location","lat":`...)
	buf = strconv.AppendFloat(buf, p.Lat, 'f', 6, 64)
	buf = append(buf, `,"lon":`...)
	buf = strconv.AppendFloat(buf, p.Lon, 'f', 6, 64)
	buf = append(buf, `,"tst":`...)
	buf = strconv.AppendFloat(buf, float64(p.At.UnixMilli())/1000, 'f', 3, 64)
	for _, f := range [...]struct {
		key string
		v   tracking.Optional
	}{{`,"acc":`, p.AccuracyM}, {`,"vel":`, p.SpeedKmh}, {`,"cog":`, p.Heading}} {
		if f.v.Valid { // absent stays absent
			buf = append(buf, f.key...)
			buf = strconv.AppendFloat(buf, f.v.Value, 'f', 0, 64)
		}
	}
	if p.Battery >= 0 {
		buf = append(buf, `,"batt":`...)
		buf = strconv.AppendInt(buf, int64(p.Battery), 10)
	}
	if tid != "" {
		buf = append(buf, `,"tid":`...)
		buf = strconv.AppendQuote(buf, tid)
	}
	return append(buf, '}')
}
