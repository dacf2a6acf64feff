// Package oauth is tokenbench's OAuth 2.0 / OpenID Connect client: the grants (client
// credentials, device authorization, authorization code with PKCE, refresh), the TokenSet
// they return, the ID-token checks of OpenID Connect Core, userinfo and introspection
// requests, and the typed errors a provider's answers become (ProviderError).
//
// It imports tokens (to parse and validate what providers return) and tokens/keys (for
// discovery, the issuer's signing keys and the guarded HTTP client). store and the front
// ends import it, never the other way (main → ui, ui/cli → store → tokens/oauth →
// tokens/keys → tokens).
package oauth
