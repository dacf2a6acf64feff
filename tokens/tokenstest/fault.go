package tokenstest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Fault makes the provider misbehave for matching requests, for tests of what a client
// says when the provider is down, overloaded or slow.
type Fault struct {
	// Path limits the fault to requests whose path starts with it ("/oauth/token");
	// empty means every request.
	Path string
	// Status answers with this HTTP status and a short plain-text body (for example 503,
	// or 429 with a Retry-After of RetryAfter seconds).
	Status     int
	RetryAfter int
	// Drop closes the connection without any answer, as a provider that is down.
	Drop bool
	// Hang holds the request without answering until the client gives up.
	Hang bool
	// Count is how many matching requests fail; 0 means every one until Clear.
	Count int
}

// Request is what the provider received in one request, for tests to assert on what a
// client sent (auth style, audience, scopes, extra parameters).
type Request struct {
	Method string
	Path   string
	// Form is the query and url-encoded body together.
	Form url.Values
	// BasicUser is the client ID sent with HTTP Basic authentication, empty if none.
	BasicUser string
}

type faults struct {
	mu       sync.Mutex
	active   []*Fault
	requests []Request
	release  chan struct{}
}

// Inject adds a fault; faults added earlier are checked first.
func (p *Provider) Inject(f Fault) {
	p.faults.mu.Lock()
	p.faults.active = append(p.faults.active, &f)
	p.faults.mu.Unlock()
}

// Clear removes every fault.
func (p *Provider) Clear() {
	p.faults.mu.Lock()
	p.faults.active = nil
	p.faults.mu.Unlock()
}

// Requests returns the requests received so far whose path starts with path.
func (p *Provider) Requests(path string) []Request {
	p.faults.mu.Lock()
	defer p.faults.mu.Unlock()
	var out []Request
	for _, r := range p.faults.requests {
		if strings.HasPrefix(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}

func (f *faults) match(path string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.active {
		if !strings.HasPrefix(path, ft.Path) {
			continue
		}
		c := *ft
		if ft.Count > 0 {
			if ft.Count--; ft.Count == 0 {
				f.active = append(f.active[:i:i], f.active[i+1:]...)
			}
		}
		return &c
	}
	return nil
}

func (f *faults) record(r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	form := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range v {
				form[k] = append(form[k], vs...)
			}
		}
	}
	user, _, _ := r.BasicAuth()
	if u, err := url.QueryUnescape(user); err == nil {
		user = u
	}
	f.mu.Lock()
	f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Form: form, BasicUser: user})
	f.mu.Unlock()
}

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.record(r)
		ft := f.match(r.URL.Path)
		switch {
		case ft == nil:
			next.ServeHTTP(w, r)
		case ft.Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case ft.Hang:
			select {
			case <-r.Context().Done():
			case <-f.release:
			}
		default:
			if ft.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(ft.RetryAfter))
			}
			http.Error(w, "tokenstest: injected fault", ft.Status)
		}
	})
}
