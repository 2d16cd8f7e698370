// Package dispatch is the heart of siaga112. It owns, each in its files:
//
//   - response plans: what each category sends, by agency (plans.go,
//     plans.conf, agencies.go);
//   - incidents: taken from a call, read and listed (incidents.go), and
//     the nearest-unit recommendations for them (recommend.go, roads.go,
//     isochrones.go);
//   - assignment: reserve and commit under the fleet index's lock, all or
//     nothing (assign.go);
//   - the lifecycle: each assignment's status, acknowledgement, closing
//     (lifecycle.go), and arrival on scene detected from the units' fixes
//     and crew status (arrival.go);
//   - callers and the call log: the prank-call policy and blocks
//     (callers.go), every call logged (calllog.go);
//   - agency work: what agency users see and do on their incidents
//     (agencywork.go).
//
// Every mutation is one tracking.Change through the journal; several
// instances share incident numbers and read each other's changes back
// (shared.go). It does no I/O: stores and buses are handed in.
package dispatch
