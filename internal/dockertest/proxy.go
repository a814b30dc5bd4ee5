package dockertest

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is a Docker endpoint in front of the local engine, for tests of
// faults: it can hold requests on their way in, and it can go away as an
// engine does (Cut). It speaks HTTP on a unix socket of its own and
// forwards to the engine's socket; event streams pass through as they
// come.
//
// A held request is forwarded even when its client gave up meanwhile, as
// an engine finishes a create whose client went away.
type Proxy struct {
	// URL is the proxy's endpoint, for DOCKER_HOST or --docker-host.
	URL string

	srv  *http.Server
	hold func(*http.Request) time.Duration
	wg   sync.WaitGroup // requests still on their way
}

// NewProxy starts a proxy to the local engine (DOCKER_HOST when it is a
// unix socket, else /var/run/docker.sock); hold, if not nil, says how long
// each request waits before it goes on. It skips t when the engine is not
// on a unix socket. The proxy is cut when t ends.
func NewProxy(t testing.TB, hold func(*http.Request) time.Duration) *Proxy {
	t.Helper()
	target := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		var ok bool
		if target, ok = strings.CutPrefix(h, "unix://"); !ok {
			t.Skipf("the engine is at %s, not on a unix socket: no proxy", h)
		}
	}
	dir, err := os.MkdirTemp("", "berth-proxy-") // short: a socket path has ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "engine.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: "unix://" + sock, hold: hold}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: "http", Host: "engine"})
		},
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", target)
		}},
		FlushInterval: -1,
		ErrorLog:      quiet, // a cut proxy's errors are the point
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/events") {
			p.wg.Add(1) // before hold, which may tell the test about r
			defer p.wg.Done()
		}
		if d := p.holdFor(r); d > 0 {
			time.Sleep(d)
			// Neither the context nor CloseNotify may tell the forwarding
			// that the client went away.
			r = r.WithContext(context.WithoutCancel(r.Context()))
			w = plainWriter{w}
		}
		rp.ServeHTTP(w, r)
	}), ErrorLog: quiet}
	go func() {
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("docker proxy: %v", err)
		}
	}()
	t.Cleanup(p.Cut)
	return p
}

var quiet = log.New(io.Discard, "", 0)

func (p *Proxy) holdFor(r *http.Request) time.Duration {
	if p.hold == nil {
		return 0
	}
	return p.hold(r)
}

// Cut makes the engine go away: the proxy stops listening and drops every
// connection, event streams included. It is safe to call more than once.
func (p *Proxy) Cut() { p.srv.Close() }

// Wait waits until every request but event streams has been forwarded and
// answered.
func (p *Proxy) Wait() { p.wg.Wait() }

// plainWriter hides every optional interface of the ResponseWriter it
// wraps (http.CloseNotifier among them).
type plainWriter struct{ w http.ResponseWriter }

func (p plainWriter) Header() http.Header         { return p.w.Header() }
func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p plainWriter) WriteHeader(code int)        { p.w.WriteHeader(code) }
