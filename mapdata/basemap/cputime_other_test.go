//go:build !linux

package basemap

import "time"

func threadCPU() time.Duration { return 0 }
