// Package tracking holds the domain types of siaga112 (units, positions,
// statuses) and the coded errors every layer speaks. It does no I/O.
package tracking

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies a domain error; the web layer maps each code to one HTTP
// status in a single table.
type Code string

const (
	CodeInvalid     Code = "invalid"
	CodeNotFound    Code = "not_found"
	CodeConflict    Code = "conflict"
	CodeOutsideArea Code = "outside_area"
	CodeForbidden   Code = "forbidden"
	// CodeUnauthenticated: no or bad credentials.
	CodeUnauthenticated Code = "unauthenticated"
	// CodeTooMany: slow down (failed logins).
	CodeTooMany Code = "too_many"
	// CodeUnavailable: the server is at a capacity limit; try again shortly.
	CodeUnavailable Code = "unavailable"
	// CodeTooLarge: the body is larger than the route takes.
	CodeTooLarge Code = "too_large"
	// CodeUnsupportedType: the body is not of a type the route takes.
	CodeUnsupportedType Code = "unsupported_type"
)

// Error is a domain error: a code for machines and a sentence for people.
type Error struct {
	Code    Code
	Message string
	// RetryAfter, on CodeTooMany, is how long the caller should wait
	// (0: unknown; the web layer then says one second).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf builds a coded error with a formatted human sentence.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first coded error in err's chain, or "" when
// there is none (an internal error).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TooMany builds a CodeTooMany error that says how long to wait.
func TooMany(wait time.Duration, format string, args ...any) error {
	return &Error{Code: CodeTooMany, Message: fmt.Sprintf(format, args...), RetryAfter: wait}
}

// RetryAfterOf is the wait a CodeTooMany error in err's chain asks for (0:
// none said).
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
