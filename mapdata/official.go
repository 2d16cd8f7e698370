package mapdata

import (
	"bytes"
	_ "embed"
	"sync"

	"siaga112/geo"
)

//go:generate go run ./internal/mkserang

// kelurahanGeoJSON is BIG's kelurahan layer of Kota Serang via
// cahyadsn/wilayah_boundaries (MIT), made a coverage at build time (the
// kelurahan tile the city with no gap or overlap; internal/mkserang): the
// source as published is serang/source/kelurahan.geojson, what moved is in
// serang/COVERAGE.md, source and licence in serang/SOURCE.md.
//
//go:embed serang/kelurahan.geojson
var kelurahanGeoJSON []byte

var serangDistricts = sync.OnceValue(func() []geo.District {
	ds, err := LoadBoundaries(bytes.NewReader(kelurahanGeoJSON), Serang(), BoundaryOptions{})
	if err != nil {
		panic("mapdata: embedded serang/kelurahan.geojson: " + err.Error())
	}
	return ds
})

// SerangDistricts returns Kota Serang's 67 kelurahan with their official
// polygons (embedded), for an exact district index. The slice is shared:
// callers must not modify it.
func SerangDistricts() []geo.District { return serangDistricts() }

// SerangKelurahanGeoJSON returns the embedded boundary file itself.
func SerangKelurahanGeoJSON() []byte { return bytes.Clone(kelurahanGeoJSON) }
