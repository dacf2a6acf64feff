package oauth_test

import (
	"fmt"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// A cached token set is refreshed once its access token expires within the margin.
func ExampleTokenSet_NeedsRefresh() {
	obtained := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ts := &oauth.TokenSet{AccessToken: "eyJ…", Expiry: obtained.Add(time.Hour)}
	for _, at := range []time.Duration{30 * time.Minute, 56 * time.Minute} {
		fmt.Println(at, ts.NeedsRefresh(obtained.Add(at), oauth.DefaultRefreshMargin))
	}
	// Output:
	// 30m0s false
	// 56m0s true
}
