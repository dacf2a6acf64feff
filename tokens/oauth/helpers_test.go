package oauth_test

import (
	"net"
	"net/http"
	"testing"
)

func httpGet(u string) (*http.Response, error) {
	resp, err := http.Get(u)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
