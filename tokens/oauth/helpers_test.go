package oauth_test

import (
	"net/http"
)

func httpGet(u string) (*http.Response, error) {
	resp, err := http.Get(u)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}
