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
	buf = append(buf, `,"acc":`...)
	buf = strconv.AppendFloat(buf, p.AccuracyM, 'f', 0, 64)
	buf = append(buf, `,"vel":`...)
	buf = strconv.AppendFloat(buf, p.SpeedKmh, 'f', 0, 64)
	buf = append(buf, `,"cog":`...)
	buf = strconv.AppendFloat(buf, p.Heading, 'f', 0, 64)
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
