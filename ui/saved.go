package ui

import "github.com/tokenbench/tokenbench/store"

// savedTenants is what the workbench knows of the saved tenants: the config as last read,
// or, until Init has read it, Options.TenantIssuers.
type savedTenants struct {
	cfg     *store.Config
	issuers map[string]string
}

// match returns the saved tenant of a token from iss issued to client, as
// store.Config.TenantFor decides: the tenant of that client when several share the issuer.
func (s savedTenants) match(iss, client string) (string, bool) {
	if s.cfg != nil {
		return s.cfg.TenantFor(iss, client)
	}
	name, ok := s.issuers[iss]
	return name, ok
}

// tokenClient is the client e's token was issued to: its azp claim, else client_id.
func tokenClient(e *entry) string {
	if e == nil || e.in.Parsed == nil || e.in.Parsed.Claims == nil {
		return ""
	}
	for _, name := range []string{"azp", "client_id"} {
		if c, ok := e.in.Parsed.Claims.String(name); ok && c != "" {
			return c
		}
	}
	return ""
}
