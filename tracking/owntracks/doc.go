// Package owntracks decodes the JSON the OwnTracks apps (iOS and Android)
// publish, over MQTT or in HTTP mode: locations, region transitions, last
// wills and encrypted envelopes. It does no I/O; the MQTT and HTTP ingests
// share it. Everything it does not use (images, friends' cards, waypoints,
// the many informational fields of a location) is dropped while decoding,
// so none of it can reach storage.
package owntracks
