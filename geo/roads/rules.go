package roads

// The tagging rules: which ways a car may drive, and in which direction.

// drivableClass reports whether a highway value is a road for vehicles.
// footway, path, cycleway, pedestrian, steps, track and anything else
// unknown are not.
func drivableClass(highway string) bool {
	_, ok := DefaultSpeedsKmh[highway]
	return ok
}

// tagged is what the rules read of a way's tags.
type tagged interface {
	Find(k string) string
}

// drivable reports whether a way is open to an emergency vehicle: a
// drivable class, not closed by access=no|private or motor_vehicle=no.
func drivable(t tagged) bool {
	if !drivableClass(t.Find("highway")) {
		return false
	}
	switch t.Find("access") {
	case "no", "private":
		return false
	}
	return t.Find("motor_vehicle") != "no"
}

// direction says which ways a drivable way may be driven: +1 along the
// drawn order only, -1 against it only, 0 both. oneway=yes|1|true and -1
// say so; motorways and roundabouts are one-way unless oneway=no.
func direction(t tagged) int {
	switch t.Find("oneway") {
	case "yes", "1", "true":
		return 1
	case "-1", "reverse":
		return -1
	case "no", "0", "false":
		return 0
	}
	if t.Find("highway") == "motorway" || t.Find("junction") == "roundabout" {
		return 1
	}
	return 0
}
