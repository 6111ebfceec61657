package server

import "net/http"

func Routes(mux *http.ServeMux) {
	health := func(w http.ResponseWriter, r *http.Request) {
		panic("not implemented")
	}
	mux.HandleFunc("/health", health)
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		// TODO: report readiness
	})
}
