package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// apiWalk calls the server as its clients do and holds every request and
// answer to /api/openapi.json with kin-openapi's validator: a route or a
// status the document does not name, an answer its schema refuses, or a
// member of an answer the schema does not declare fails the test.
type apiWalk struct {
	t    *testing.T
	base string
	doc  *openapi3.T

	mu   sync.Mutex
	seen map[string]map[int]int // "GET /api/units/{id}" → status → answers
}

// principal is who a call comes from: a bearer token, a browser session
// (cookies and its CSRF token), Basic auth (a device), or nobody.
type principal struct {
	name         string
	bearer       string
	jar          http.CookieJar
	csrf         string
	basic        [2]string
	client       *http.Client
	extraHeaders http.Header
}

func (p *principal) httpClient() *http.Client {
	if p.client == nil {
		p.client = &http.Client{Jar: p.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return p.client
}

var anonymous = &principal{name: "anonymous"}

func newSession() *principal {
	jar, _ := cookiejar.New(nil)
	return &principal{jar: jar}
}

// call is one request of the walk. op names the route as the router and the
// document do ("GET /api/units/{id}"); args fill its {…} in order.
type call struct {
	as     *principal
	op     string
	args   []string
	query  string // without "?"
	body   string
	ctype  string // default application/json when there is a body
	header map[string]string
	want   int
	oneOf  []int // instead of want: any of these (a flood's edge)
	// probe: a refusal of who asks, sent without a body or parameters (the
	// sweeps); the request is not held to the document.
	probe bool
	// bulk: one of many alike (a flood up to a limit); only its status is
	// held to the document.
	bulk bool
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if a.status == 0 {
		return // not sent: the walk has said why
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

// loadWalk reads the document the server serves and checks it is a valid
// OpenAPI document.
func loadWalk(t *testing.T, base, adminToken string) *apiWalk {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.json: %d %s", resp.StatusCode, raw)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("the document does not load: %v", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	return &apiWalk{t: t, base: base, doc: doc, seen: map[string]map[int]int{}}
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// route finds the documented operation of op ("METHOD /path/{x}").
func (w *apiWalk) route(op string) (*routers.Route, []string, error) {
	method, path, _ := strings.Cut(op, " ")
	item := w.doc.Paths.Value(path)
	if item == nil {
		return nil, nil, fmt.Errorf("%s is served but the document has no path %s", op, path)
	}
	o := item.GetOperation(method)
	if o == nil {
		return nil, nil, fmt.Errorf("%s is served but the document has no %s operation on %s", op, method, path)
	}
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	return &routers.Route{Spec: w.doc, Server: w.doc.Servers[0], Path: path, PathItem: item, Method: method, Operation: o}, names, nil
}

// do sends c, checks its status is c.want, validates the request (for an
// answer below 400, or one refusing the caller rather than the input) and
// the answer, and records the status against the route.
func (w *apiWalk) do(c call) answer {
	t := w.t
	t.Helper()
	rt, names, err := w.route(c.op)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	if len(names) != len(c.args) {
		t.Fatalf("%s: %d path values for %v", c.op, len(c.args), names)
	}
	path := rt.Path
	params := map[string]string{}
	for i, n := range names {
		params[n] = c.args[i]
		path = strings.Replace(path, "{"+n+"}", url.PathEscape(c.args[i]), 1)
	}
	target := w.base + path
	if c.query != "" {
		target += "?" + c.query
	}
	as := c.as
	if as == nil {
		as = anonymous
	}
	req := w.newRequest(as, rt.Method, target, c)
	resp, err := as.httpClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.op, target, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header, body: body}
	label := fmt.Sprintf("%s (%s %s as %s)", c.op, rt.Method, strings.TrimPrefix(target, w.base), as.name)
	switch {
	case len(c.oneOf) > 0:
		if !slices.Contains(c.oneOf, a.status) {
			t.Errorf("%s: %d %s; want one of %v", label, a.status, clip(body), c.oneOf)
		}
		c.want = a.status
	case a.status != c.want:
		t.Errorf("%s: %d %s; want %d", label, a.status, clip(body), c.want)
	}
	w.check(label, rt, params, w.newRequest(as, rt.Method, target, c), c, a)
	return a
}

func (w *apiWalk) newRequest(as *principal, method, target string, c call) *http.Request {
	var rd io.Reader
	if c.body != "" {
		rd = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if c.body != "" {
		ct := c.ctype
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case as.bearer != "":
		req.Header.Set("Authorization", "Bearer "+as.bearer)
	case as.basic[0] != "":
		req.SetBasicAuth(as.basic[0], as.basic[1])
	}
	if as.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", as.csrf)
	}
	for k, v := range as.extraHeaders {
		req.Header[k] = v
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

// check validates req and the answer a against rt's operation.
func (w *apiWalk) check(label string, rt *routers.Route, params map[string]string, req *http.Request, c call, a answer) {
	t := w.t
	t.Helper()
	w.record(rt.Method+" "+rt.Path, a.status)
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: rt,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	// A well-formed request: anything answered below 400, and a refusal of
	// who asks or of the state of things (401, 403, 404, 409, 422, 429,
	// 503) rather than of the input.
	if !c.probe && !c.bulk && (c.want < 400 || c.want != 400 && c.want != 413 && c.want != 415) {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s: the request does not match the document: %v", label, err)
		}
	}
	resp := rt.Operation.Responses.Value(strconv.Itoa(a.status))
	if resp == nil || resp.Value == nil {
		t.Errorf("%s: answered %d, which the document does not list (%s)", label, a.status, clip(a.body))
		return
	}
	if c.bulk {
		return
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: a.status, Header: a.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(a.body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s: the answer %d does not match the document: %v\nbody: %s", label, a.status, err, clip(a.body))
		return
	}
	if len(resp.Value.Content) == 0 {
		if len(bytes.TrimSpace(a.body)) > 0 {
			t.Errorf("%s: answered %d with a body the document does not describe: %s", label, a.status, clip(a.body))
		}
		return
	}
	mt := resp.Value.Content.Get(a.header.Get("Content-Type"))
	if mt == nil {
		t.Errorf("%s: %d answered %q, which the document does not list", label, a.status, a.header.Get("Content-Type"))
		return
	}
	if mt.Schema == nil { // a body no schema can hold (a byte range)
		return
	}
	if ct := a.header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/geo+json") {
		var v any
		if err := json.Unmarshal(a.body, &v); err != nil {
			t.Errorf("%s: not JSON: %v", label, err)
			return
		}
		for _, p := range undeclared("", v, mt.Schema) {
			t.Errorf("%s: answered member %s, which the document does not declare", label, p)
		}
	}
}

func (w *apiWalk) record(op string, status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[op] == nil {
		w.seen[op] = map[int]int{}
	}
	w.seen[op][status]++
}

// schema is a component schema of the document, for what OpenAPI cannot
// attach to an operation (the live feed's messages).
func (w *apiWalk) schema(name string) *openapi3.SchemaRef {
	s := w.doc.Components.Schemas[name]
	if s == nil {
		w.t.Fatalf("the document has no schema %s", name)
	}
	return s
}

// validateValue holds a decoded JSON value to a schema, undeclared members
// included.
func validateValue(s *openapi3.SchemaRef, v any) []string {
	var errs []string
	if err := s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		errs = append(errs, err.Error())
	}
	for _, p := range undeclared("", v, s) {
		errs = append(errs, "undeclared member "+p)
	}
	return errs
}

// undeclared lists the members of v that schema s does not declare (s's
// properties, those of its allOf parts and of the oneOf/anyOf parts v
// matches). An object schema that allows additional properties (a map, a
// free-form object) declares whatever it holds. The validator alone would
// let an answer carry any member a schema leaves open; this makes the
// document say every member the server sends.
func undeclared(at string, v any, s *openapi3.SchemaRef) []string {
	if s == nil || s.Value == nil {
		return nil
	}
	parts := flatten(v, s)
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		var extra *openapi3.SchemaRef
		open := false
		for _, p := range parts {
			for k, ps := range p.Value.Properties {
				if props[k] == nil {
					props[k] = ps
				}
			}
			ap := p.Value.AdditionalProperties
			if ap.Schema != nil {
				extra = ap.Schema
			} else if ap.Has != nil && *ap.Has {
				open = true
			}
			if len(p.Value.Properties) == 0 && ap.Schema == nil && ap.Has == nil && len(p.Value.AllOf)+len(p.Value.OneOf)+len(p.Value.AnyOf) == 0 {
				open = true // says nothing of members: any JSON
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch {
			case props[k] != nil:
				out = append(out, undeclared(at+"."+k, x[k], props[k])...)
			case extra != nil:
				out = append(out, undeclared(at+"."+k, x[k], extra)...)
			case !open:
				out = append(out, at+"."+k)
			}
		}
	case []any:
		for _, p := range parts {
			if p.Value.Items != nil {
				for i, e := range x {
					out = append(out, undeclared(fmt.Sprintf("%s[%d]", at, i), e, p.Value.Items)...)
				}
				break
			}
		}
	}
	return out
}

// flatten is s with its allOf parts and the oneOf/anyOf parts v matches.
func flatten(v any, s *openapi3.SchemaRef) []*openapi3.SchemaRef {
	out := []*openapi3.SchemaRef{s}
	for _, p := range s.Value.AllOf {
		out = append(out, flatten(v, p)...)
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.Value.OneOf, s.Value.AnyOf} {
		for _, p := range alts {
			if p.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()) == nil {
				out = append(out, flatten(v, p)...)
			}
		}
	}
	return out
}

func schemaTypes(s *openapi3.Schema) []string {
	if s.Type == nil {
		return nil
	}
	return s.Type.Slice()
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
