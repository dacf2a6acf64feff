package tokens_test

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// exampleJWS builds an unsigned-looking compact JWS from header and claims JSON.
func exampleJWS(header, claims string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims)) + ".c2ln"
}

func ExampleInspect() {
	tok := exampleJWS(`{"alg":"RS256","typ":"at+jwt"}`, `{"sub":"auth0|42","exp":1795604400}`)
	for _, text := range []string{
		"Authorization: Bearer " + tok + "\n",
		"8xLOxBtZp8Z-Yw3kkmWS_zyUiK9FzLR0",
		tok[:len(tok)-5], // cut off when copied
		tok + "=",
		`{"access_token":"…"}`,
	} {
		in := tokens.Inspect(text)
		if in.Kind == tokens.NotAToken {
			fmt.Printf("%s: %s\n", in.Kind, in.Reason)
			continue
		}
		fmt.Printf("%s %v\n", in.Kind, in.Notes)
	}
	// Output:
	// JWS [removed the Authorization: header name removed the Bearer prefix]
	// opaque []
	// not a token: token has 2 parts; a JWS has 3 and a JWE 5 (was it cut off when copied?)
	// not a token: signature has base64 padding '='; JOSE uses unpadded base64url
	// not a token: input is JSON, not a token (paste the value of access_token or id_token)
}

func ExampleParse() {
	_, err := tokens.Parse(exampleJWS(`{"alg":"RS256","a\u006cg":"none"}`, `{}`))
	fmt.Println(err)
	// Output:
	// header has a duplicate member "alg"
}

func ExampleExplain() {
	tok, err := tokens.Parse(exampleJWS(`{"alg":"HS256","typ":"JWT"}`,
		`{"iss":"https://tenant.example/","scope":"read:orders","iat":1795600800,"exp":1795687201,"https://example.com/roles":["admin"]}`))
	if err != nil {
		panic(err)
	}
	e := tokens.Explain(tok)
	fmt.Println(e.Kind, e.Use)
	for _, f := range e.Claims {
		fmt.Printf("%-26s %-24s %s\n", f.Name, f.Display(), f.Category)
	}
	for _, l := range e.Lints {
		fmt.Println(l.Severity, l.Code)
	}
	now := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	total, used, _ := e.Lifetime(now)
	fmt.Printf("%s, expires %s, lifetime %s, %.0f%% used\n", e.State(now), tokens.Relative(*e.Exp, now), tokens.HumanDuration(total), used*100)
	// Output:
	// JWS access token
	// iss                        https://tenant.example/  registered
	// scope                      read:orders              rfc9068
	// iat                        1795600800               registered
	// exp                        1795687201               registered
	// https://example.com/roles  ["admin"]                namespaced
	// warn hs-oidc
	// warn long-lived
	// info typ-not-at-jwt
	// valid, expires in 23h 45m, lifetime 1d, 1% used
}

func ExampleNormalize() {
	tok, notes := tokens.Normalize("\u201CBearer abc.def.ghi\u201D\n")
	fmt.Println(tok)
	fmt.Println(notes)
	// Output:
	// abc.def.ghi
	// [removed surrounding quotes removed the Bearer prefix]
}

func ExampleFormatTime() {
	exp := time.Unix(1795604400, 0)
	now := exp.Add(-23*time.Minute - 4*time.Second)
	fmt.Println(tokens.FormatTime(exp, time.FixedZone("CET", 3600)), tokens.Relative(exp, now))
	fmt.Println(tokens.Relative(now, exp))
	// Output:
	// 2026-11-25 11:00:00 UTC (2026-11-25 12:00:00 CET) in 23m 4s
	// 23m 4s ago
}

func ExampleSafeText() {
	fmt.Printf("%+q\n", tokens.SafeText("admin\x1b[8m hidden\u202e"))
	// Output:
	// "admin\ufffd[8m hidden\ufffd"
}
