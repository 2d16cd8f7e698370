package tracking

import "siaga112/geo"

// DefaultSpeedsKmh are average speeds over a whole trip (pulling out,
// junctions, market streets), not cruising speeds: 40 km/h for an ambulance
// under lights and siren, 35 for a loaded fire truck or a BPBD rescue
// truck, 45 for a police car, 30 for a hearse, which has no right of way.
var DefaultSpeedsKmh = map[UnitType]float64{
	Ambulance: 40,
	FireTruck: 35,
	Hearse:    30,
	Rescue:    35,
	Police:    45,
}

// DefaultTravel is the detour model with the default detour and speeds;
// its routing profiles are the unit types.
func DefaultTravel() geo.DetourModel {
	speeds := make(map[string]float64, len(DefaultSpeedsKmh))
	for t, v := range DefaultSpeedsKmh {
		speeds[string(t)] = v
	}
	return geo.DetourModel{Detour: geo.DefaultDetour, SpeedKmh: speeds}
}
