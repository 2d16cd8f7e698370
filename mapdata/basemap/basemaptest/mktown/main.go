// Command mktown writes the base map's test town as OSM XML on stdout
// (mapdata/basemap/testdata/make.sh turns it into the committed PBF).
package main

import (
	"fmt"
	"os"

	"siaga112/mapdata/basemap/basemaptest"
)

func main() {
	if err := basemaptest.WriteTown(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mktown:", err)
		os.Exit(1)
	}
}
