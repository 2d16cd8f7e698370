package web

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes every route (OpenAPI 3.1); TestOpenAPIMatchesRoutes
// holds it to the routes the server registers.
//
//go:embed openapi.json
var openAPIDoc []byte

var openAPICached = newCachedDoc(jsonType, openAPIDoc)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) { openAPICached.serve(w, r) }
