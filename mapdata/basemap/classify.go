package basemap

import (
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/osm"
)

// layer is one of the tile's layers, in drawing order: later ones are drawn
// over earlier ones, so roads stay visible over land use, water and houses.
type layer uint8

const (
	layerLanduse layer = iota
	layerWater
	layerWaterway
	layerBuilding
	layerRoad
	layerPlace
	layerCount
)

// LayerNames are the names of the tile's layers, in drawing order.
var LayerNames = [layerCount]string{"landuse", "water", "waterway", "building", "road", "place"}

// kind is what the map draws of one OSM element: its layer and class (the
// tag value the page styles by), whether it is an area, and from which
// zoom it shows.
type kind struct {
	layer   layer
	class   string
	area    bool
	minZoom uint8
}

// roadZoom is the zoom from which each highway class is drawn (others: 14);
// from zoom 14 on every highway=* way is drawn.
var roadZoom = map[string]uint8{
	"motorway": 5, "motorway_link": 5, "trunk": 5, "trunk_link": 5,
	"primary": 8, "primary_link": 8, "secondary": 9, "secondary_link": 9,
	"tertiary": 10, "tertiary_link": 10,
	"residential": 13, "unclassified": 13, "living_street": 13, "road": 13, "busway": 13,
	"service": 14, "pedestrian": 14, "track": 14,
}

// roadRank orders roads within a tile: minor ones first, so major roads
// are drawn over them where they cross.
var roadRank = map[string]uint8{
	"motorway": 9, "motorway_link": 8, "trunk": 8, "trunk_link": 7, "primary": 7, "primary_link": 6,
	"secondary": 6, "secondary_link": 5, "tertiary": 5, "tertiary_link": 4,
	"residential": 3, "unclassified": 3, "living_street": 3, "road": 3, "busway": 3,
	"service": 2, "pedestrian": 2, "track": 2,
}

// Area classes by tag: the values drawn as land use, and as water.
var (
	landuseLeisure = map[string]bool{"park": true, "garden": true, "pitch": true, "playground": true,
		"golf_course": true, "nature_reserve": true, "stadium": true, "sports_centre": true}
	landuseNatural = map[string]bool{"wood": true, "scrub": true, "grassland": true, "heath": true,
		"wetland": true, "beach": true, "sand": true, "mud": true, "bare_rock": true}
	waterLanduse = map[string]bool{"reservoir": true, "basin": true, "salt_pond": true, "aquaculture": true}
	bigWaterways = map[string]bool{"river": true, "canal": true}
)

// placeZoom is the zoom from which each place=* class is labelled.
var placeZoom = map[string]uint8{
	"city": 6, "town": 8, "village": 11, "suburb": 11, "hamlet": 13, "neighbourhood": 13,
	"quarter": 12, "isolated_dwelling": 14, "locality": 14,
}

// classifyWay says what a way (or a multipolygon relation, closed=true,
// asArea=true) draws; ok false: nothing. Every highway=* way is a road,
// drawn as a line even when closed (a pedestrian square shows its outline).
func classifyWay(tags osm.Tags, closed bool) (k kind, ok bool) {
	if v := tags.Find("highway"); v != "" {
		z, known := roadZoom[v]
		if !known {
			z = 14
		}
		return kind{layer: layerRoad, class: v, minZoom: z}, true
	}
	if v := tags.Find("building"); v != "" && v != "no" {
		return kind{layer: layerBuilding, class: "building", area: true, minZoom: 14}, closed
	}
	if tags.Find("natural") == "water" || tags.Find("waterway") == "riverbank" || tags.Find("waterway") == "dock" ||
		waterLanduse[tags.Find("landuse")] {
		return kind{layer: layerWater, class: "water", area: true, minZoom: 8}, closed
	}
	if v := tags.Find("waterway"); v != "" {
		z := uint8(12)
		if bigWaterways[v] {
			z = 8
		}
		return kind{layer: layerWaterway, class: v, minZoom: z}, true
	}
	if tags.Find("natural") == "coastline" {
		return kind{layer: layerWaterway, class: "coastline", minZoom: 6}, true
	}
	if v := tags.Find("landuse"); v != "" {
		return kind{layer: layerLanduse, class: v, area: true, minZoom: 10}, closed
	}
	if v := tags.Find("leisure"); landuseLeisure[v] {
		return kind{layer: layerLanduse, class: v, area: true, minZoom: 10}, closed
	}
	if v := tags.Find("natural"); landuseNatural[v] {
		return kind{layer: layerLanduse, class: v, area: true, minZoom: 10}, closed
	}
	return kind{}, false
}

// classifyPlace says whether a node is a place label: a known place=*
// class with a name the page can draw as plain text.
func classifyPlace(tags osm.Tags) (k kind, name string, ok bool) {
	z, known := placeZoom[tags.Find("place")]
	name = tags.Find("name")
	if !known || !LabelSafe(name) {
		return kind{}, "", false
	}
	return kind{layer: layerPlace, class: tags.Find("place"), minZoom: z}, name, true
}

// maxLabel is the longest place name labelled, in characters.
const maxLabel = 64

// LabelSafe says whether a name can be drawn as canvas text without any
// font's emoji or symbol glyphs: letters, combining marks, digits, spaces
// and punctuation only. Symbols (So, Sk, Sm, Sc), enclosing marks (keycaps),
// variation selectors (emoji presentation), joiners, controls and invalid
// UTF-8 make the name unlabelled rather than partly drawn.
func LabelSafe(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxLabel {
		return false
	}
	for _, r := range name {
		switch {
		case r == ' ':
		case unicode.Is(unicode.Variation_Selector, r):
			return false
		case unicode.IsLetter(r), unicode.In(r, unicode.Mn, unicode.Mc), unicode.IsDigit(r), unicode.IsPunct(r):
		default:
			return false
		}
	}
	return true
}
