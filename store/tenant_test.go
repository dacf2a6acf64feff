package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func TestTenantValidate(t *testing.T) {
	oidc := func(mod func(*Tenant)) Tenant {
		tn := Tenant{Name: "dev", Kind: KindOIDC, Issuer: "https://id.example.com/realms/dev", ClientID: "c"}
		mod(&tn)
		return tn
	}
	tests := []struct {
		name string
		t    Tenant
		want string // substring of the error; empty: valid
	}{
		{"auth0 full", sampleTenant("prod"), ""},
		{"oidc minimal", oidc(func(*Tenant) {}), ""},
		{"loopback http issuer", oidc(func(t *Tenant) { t.Issuer = "http://127.0.0.1:9000" }), ""},
		{"empty name", oidc(func(t *Tenant) { t.Name = "" }), "name"},
		{"slash in name", oidc(func(t *Tenant) { t.Name = "a/b" }), "name"},
		{"leading dot", oidc(func(t *Tenant) { t.Name = ".x" }), "name"},
		{"long name", oidc(func(t *Tenant) { t.Name = strings.Repeat("a", 65) }), "name"},
		{"no kind", oidc(func(t *Tenant) { t.Kind = "" }), "kind: missing"},
		{"bad kind", oidc(func(t *Tenant) { t.Kind = "okta" }), `"okta" is not auth0 or oidc`},
		{"plain http issuer", oidc(func(t *Tenant) { t.Issuer = "http://id.example.com/" }), "only https"},
		{"issuer query", oidc(func(t *Tenant) { t.Issuer = "https://id.example.com/?a=b" }), "query"},
		{"no issuer", oidc(func(t *Tenant) { t.Issuer = "" }), "issuer: missing"},
		{"oidc with domain", oidc(func(t *Tenant) { t.Domain = "x.auth0.com" }), "only auth0 tenants have a domain"},
		{"auth0 with issuer", func() Tenant { s := sampleTenant("a"); s.Issuer = "https://x/"; return s }(), "given by its domain"},
		{"auth0 domain with scheme", func() Tenant { s := sampleTenant("a"); s.Domain = "https://x.auth0.com"; return s }(), "bare host"},
		{"auth0 no domain", func() Tenant { s := sampleTenant("a"); s.Domain = ""; return s }(), "domain: missing"},
		{"no client id", oidc(func(t *Tenant) { t.ClientID = " " }), "client_id: missing"},
		{"bad grant", oidc(func(t *Tenant) { t.Grant = "password" }), "grant"},
		{"cc needs secret", oidc(func(t *Tenant) { t.Grant = oauth.GrantClientCredentials }), "confidential"},
		{"port", oidc(func(t *Tenant) { t.RedirectPort = 70000 }), "redirect_port"},
		{"scope with space", oidc(func(t *Tenant) { t.Scopes = []string{"a b"} }), "scopes"},
		{"secret in params", oidc(func(t *Tenant) { t.TokenParams = map[string]string{"client_secret": "x"} }), "token_params"},
		{"protocol param", oidc(func(t *Tenant) { t.AuthorizeParams = map[string]string{"Redirect_URI": "x"} }), "authorize_params"},
		{"control char", oidc(func(t *Tenant) { t.Audience = "a\nb" }), "control"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.t.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidTenant) {
				t.Fatalf("Validate = %v, want ErrInvalidTenant mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message is not one line: %q", err)
			}
		})
	}
}

func TestIssuerURL(t *testing.T) {
	if got := sampleTenant("a").IssuerURL(); got != "https://dev-abc.eu.auth0.com/" {
		t.Errorf("auth0 issuer = %q", got)
	}
	o := Tenant{Kind: KindOIDC, Issuer: "https://id.example.com/realms/dev"}
	if got := o.IssuerURL(); got != o.Issuer {
		t.Errorf("oidc issuer = %q", got)
	}
}

func TestCanClientCredentials(t *testing.T) {
	for _, tc := range []struct {
		t    Tenant
		want bool
	}{
		{Tenant{Grant: oauth.GrantClientCredentials, Confidential: true}, true},
		{Tenant{Confidential: true}, true},
		{Tenant{}, false},
		{Tenant{Grant: oauth.GrantDevice, Confidential: true}, false},
		{Tenant{Grant: oauth.GrantPKCE}, false},
	} {
		if got := tc.t.CanClientCredentials(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestTenantAuthMethod(t *testing.T) {
	base := Tenant{Name: "m", Kind: KindOIDC, Issuer: "https://issuer.example/", ClientID: "c", Confidential: true}
	for _, c := range []struct {
		method oauth.AuthMethod
		ok     bool
	}{{"", true}, {oauth.AuthSecretBasic, true}, {oauth.AuthSecretPost, true}, {oauth.AuthSecretJWT, true}, {oauth.AuthPrivateKeyJWT, true},
		{oauth.AuthNone, false}, {"basic", false}} {
		tn := base
		tn.AuthMethod = c.method
		if err := tn.Validate(); (err == nil) != c.ok {
			t.Errorf("auth_method %q: %v, want ok=%v", c.method, err, c.ok)
		}
	}
}

func TestTenantWiringValidation(t *testing.T) {
	base := Tenant{Name: "w", Kind: KindOIDC, Issuer: "https://issuer.example/", ClientID: "c", Confidential: true}
	for _, tc := range []struct {
		name  string
		edit  func(*Tenant)
		field string // empty: valid
	}{
		{"redirect 127.0.0.1", func(t *Tenant) { t.RedirectURI = "http://127.0.0.1:8765/callback" }, ""},
		{"redirect localhost path", func(t *Tenant) { t.RedirectURI = "http://localhost:3000/auth/done" }, ""},
		{"redirect ::1", func(t *Tenant) { t.RedirectURI = "http://[::1]:3000/cb" }, ""},
		{"redirect https", func(t *Tenant) { t.RedirectURI = "https://localhost:3000/cb" }, "redirect_uri"},
		{"redirect remote", func(t *Tenant) { t.RedirectURI = "http://app.example:3000/cb" }, "redirect_uri"},
		{"endpoint https", func(t *Tenant) { t.Endpoints.Introspection = "https://admin.example:8443/introspect" }, ""},
		{"endpoint http remote", func(t *Tenant) { t.Endpoints.Token = "http://issuer.example/token" }, "token_endpoint"},
		{"endpoint control", func(t *Tenant) { t.Endpoints.JWKSURI = "https://x.example/\x1b[2J" }, "jwks_uri"},
		{"no discovery with token", func(t *Tenant) { t.NoDiscovery = true; t.Endpoints.Token = "https://issuer.example/token" }, ""},
		{"none is public", func(t *Tenant) { t.AuthMethod = oauth.AuthNone; t.Confidential = false }, ""},
		{"jwt needs confidential", func(t *Tenant) { t.AuthMethod = oauth.AuthPrivateKeyJWT; t.Confidential = false }, "auth_method"},
	} {
		tn := base
		tc.edit(&tn)
		err := tn.Validate()
		var te *TenantError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &te) || te.Field != tc.field):
			t.Errorf("%s: err = %v, want field %s", tc.name, err, tc.field)
		}
	}
}
