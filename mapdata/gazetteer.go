// Package mapdata holds Kota Serang's gazetteer (embedded) and loads
// official boundary files.
package mapdata

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// Area is one kecamatan or kelurahan of the gazetteer.
type Area struct {
	Code          string    // Kemendagri: 36.73.xx (kecamatan), 36.73.xx.xxxx (kelurahan)
	Name          string    //
	KecamatanCode string    // a kelurahan's kecamatan; "" for a kecamatan
	Point         orb.Point // a representative point inside the area
	AreaKm2       float64
}

// Gazetteer lists Kota Serang's kecamatan and kelurahan.
type Gazetteer struct {
	Kecamatan []Area // by code
	Kelurahan []Area // by code
	byCode    map[string]int
}

//go:embed gazetteer.csv
var gazetteerCSV []byte

var serang = sync.OnceValue(func() *Gazetteer {
	g, err := parseGazetteer(gazetteerCSV)
	if err != nil {
		panic("mapdata: embedded gazetteer.csv: " + err.Error())
	}
	return g
})

// Serang returns the embedded gazetteer of Kota Serang (6 kecamatan, 67
// kelurahan). Derived from BIG's boundaries: see gazetteer_test.go.
func Serang() *Gazetteer { return serang() }

// CityCode is Kota Serang's Kemendagri code.
const CityCode = "36.73"

func parseGazetteer(b []byte) (*Gazetteer, error) {
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != gazetteerHeader {
		return nil, fmt.Errorf("header must be %q", gazetteerHeader)
	}
	g := &Gazetteer{byCode: map[string]int{}}
	for i, r := range rows[1:] {
		lon, err1 := strconv.ParseFloat(r[4], 64)
		lat, err2 := strconv.ParseFloat(r[5], 64)
		km2, err3 := strconv.ParseFloat(r[6], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("line %d: bad number", i+2)
		}
		a := Area{Code: r[1], Name: r[2], KecamatanCode: r[3], Point: orb.Point{lon, lat}, AreaKm2: km2}
		switch r[0] {
		case "kecamatan":
			g.Kecamatan = append(g.Kecamatan, a)
		case "kelurahan":
			g.Kelurahan = append(g.Kelurahan, a)
		default:
			return nil, fmt.Errorf("line %d: level %q", i+2, r[0])
		}
	}
	g.index()
	return g, nil
}

const gazetteerHeader = "level,code,name,kecamatan_code,lon,lat,area_km2"

func (g *Gazetteer) index() {
	sort.Slice(g.Kecamatan, func(i, j int) bool { return g.Kecamatan[i].Code < g.Kecamatan[j].Code })
	sort.Slice(g.Kelurahan, func(i, j int) bool { return g.Kelurahan[i].Code < g.Kelurahan[j].Code })
	g.byCode = map[string]int{}
	for i, a := range g.Kecamatan {
		g.byCode[a.Code] = i
	}
	for i, a := range g.Kelurahan {
		g.byCode[a.Code] = len(g.Kecamatan) + i
	}
}

// Lookup finds a kecamatan or kelurahan by code.
func (g *Gazetteer) Lookup(code string) (Area, bool) {
	i, ok := g.byCode[code]
	switch {
	case !ok:
		return Area{}, false
	case i < len(g.Kecamatan):
		return g.Kecamatan[i], true
	}
	return g.Kelurahan[i-len(g.Kecamatan)], true
}

// ReachFactor scales a kelurahan's equal-area radius into how far from its
// representative point the approximate locator still accepts a point. It was
// chosen by measurement against the official boundaries (see the README).
const ReachFactor = 1.8

// Districts returns the kelurahan for an approximate district index: their
// representative points and reach, no polygons.
func (g *Gazetteer) Districts() []geo.District {
	out := make([]geo.District, 0, len(g.Kelurahan))
	for _, k := range g.Kelurahan {
		kec, _ := g.Lookup(k.KecamatanCode)
		out = append(out, geo.District{
			Kelurahan: geo.Place{Code: k.Code, Name: k.Name},
			Kecamatan: geo.Place{Code: kec.Code, Name: kec.Name},
			Point:     k.Point,
			ReachM:    ReachFactor * math.Sqrt(k.AreaKm2*1e6/math.Pi),
		})
	}
	return out
}
