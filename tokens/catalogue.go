package tokens

// Category groups a header parameter or claim by the specification that defines it.
type Category string

// The categories a field can belong to.
const (
	CatHeader     Category = "header"     // JOSE header parameter (RFC 7515/7516)
	CatRegistered Category = "registered" // RFC 7519 registered claim
	CatAccess     Category = "rfc9068"    // JWT access token profile and OAuth extensions
	CatOIDC       Category = "oidc"       // OpenID Connect Core
	CatAuth0      Category = "auth0"      // Auth0-specific claim
	CatProvider   Category = "provider"   // another provider's well-known claim (Okta, Keycloak, Entra ID)
	CatNamespaced Category = "namespaced" // custom claim with a collision-resistant (URL or URN) name
	CatCustom     Category = "custom"     // custom claim with a plain name
)

type entry struct {
	cat  Category
	text string
}

// headerCatalogue explains JOSE header parameters.
var headerCatalogue = map[string]entry{
	"alg":        {CatHeader, "Signing or key-management algorithm the token claims; a verifier must use its own allow-list, not this"},
	"iss":        {CatHeader, "Issuer, replicated in the header (RFC 7519 §5.3); Auth0 puts it on the JWE it encrypts for itself"},
	"kid":        {CatHeader, "Key ID: which key in the issuer's JWKS signed this (an exact lookup, never a path)"},
	"typ":        {CatHeader, "Media type of the whole token (at+jwt marks an RFC 9068 access token)"},
	"cty":        {CatHeader, "Content type of the payload (JWT means a nested token)"},
	"jku":        {CatHeader, "URL of a JWKS chosen by the token itself: never trusted or fetched"},
	"x5u":        {CatHeader, "URL of an X.509 chain chosen by the token itself: never trusted or fetched"},
	"jwk":        {CatHeader, "Public key embedded by the token itself: never trusted"},
	"x5c":        {CatHeader, "X.509 chain embedded by the token itself: never trusted"},
	"x5t":        {CatHeader, "SHA-1 thumbprint of the signing certificate"},
	"x5t#S256":   {CatHeader, "SHA-256 thumbprint of the signing certificate"},
	"crit":       {CatHeader, "Extensions the verifier must understand, or reject the token"},
	"enc":        {CatHeader, "Content-encryption algorithm of a JWE"},
	"zip":        {CatHeader, "Compression of the plaintext before encryption (refused by default)"},
	"epk":        {CatHeader, "Ephemeral public key for ECDH key agreement"},
	"apu":        {CatHeader, "Agreement PartyUInfo for ECDH key agreement"},
	"apv":        {CatHeader, "Agreement PartyVInfo for ECDH key agreement"},
	"iv":         {CatHeader, "Initialization vector for AES-GCM key wrapping"},
	"tag":        {CatHeader, "Authentication tag for AES-GCM key wrapping"},
	"p2s":        {CatHeader, "PBES2 salt input"},
	"p2c":        {CatHeader, "PBES2 iteration count"},
	"b64":        {CatHeader, "false means an unencoded payload (RFC 7797)"},
	"nonce":      {CatHeader, "Microsoft Graph: the signature covers a hash of this value, so only Graph can verify the token"},
	MintedHeader: {CatHeader, "Set by tokenbench when it signs a token (mint, the workbench's re-sign): a test token minted locally, issued by no provider"},
}

// claimCatalogue explains well-known claims.
var claimCatalogue = map[string]entry{
	// RFC 7519
	"iss": {CatRegistered, "Issuer: who minted the token; must match the expected issuer exactly"},
	"sub": {CatRegistered, "Subject: the user or client the token is about"},
	"aud": {CatRegistered, "Audience: the API(s) or client(s) that may accept the token"},
	"exp": {CatRegistered, "Expiry: the token must be rejected after this time"},
	"nbf": {CatRegistered, "Not before: the token must be rejected before this time"},
	"iat": {CatRegistered, "Issued at: when the token was minted"},
	"jti": {CatRegistered, "JWT ID: unique identifier, lets an API detect replays"},
	// RFC 9068 and OAuth extensions
	"client_id":    {CatAccess, "OAuth client the token was issued to"},
	"scope":        {CatAccess, "Space-separated scopes granted to the client"},
	"roles":        {CatAccess, "Roles of the subject (RFC 9068 / SCIM)"},
	"groups":       {CatAccess, "Groups of the subject (RFC 9068 / SCIM)"},
	"entitlements": {CatAccess, "Entitlements of the subject (RFC 9068 / SCIM)"},
	"cnf":          {CatAccess, "Confirmation: binds the token to a key or certificate (DPoP, mTLS)"},
	"htm":          {CatAccess, "DPoP proof: HTTP method of the request it is for (RFC 9449)"},
	"htu":          {CatAccess, "DPoP proof: URI of the request, without query and fragment (RFC 9449)"},
	"ath":          {CatAccess, "DPoP proof: hash of the access token sent with it (RFC 9449)"},
	"act":          {CatAccess, "Actor: who acts on behalf of the subject (token exchange)"},
	"may_act":      {CatAccess, "Who may act on behalf of the subject (token exchange)"},
	// OpenID Connect Core
	"auth_time":             {CatOIDC, "When the user last authenticated"},
	"acr":                   {CatOIDC, "Authentication context class the login satisfied"},
	"amr":                   {CatOIDC, "Authentication methods used (pwd, mfa, otp, …)"},
	"nonce":                 {CatOIDC, "Value from the authorization request, binds the ID token to it"},
	"azp":                   {CatOIDC, "Authorized party: the client the token was issued to"},
	"at_hash":               {CatOIDC, "Hash of the access token issued with this ID token"},
	"c_hash":                {CatOIDC, "Hash of the authorization code issued with this ID token"},
	"s_hash":                {CatOIDC, "Hash of the state value (FAPI)"},
	"sid":                   {CatOIDC, "Session ID at the provider (for logout)"},
	"name":                  {CatOIDC, "Full name"},
	"given_name":            {CatOIDC, "Given (first) name"},
	"family_name":           {CatOIDC, "Family (last) name"},
	"middle_name":           {CatOIDC, "Middle name"},
	"nickname":              {CatOIDC, "Casual name"},
	"preferred_username":    {CatOIDC, "Name the user prefers; not unique, not an identifier"},
	"profile":               {CatOIDC, "Profile page URL"},
	"picture":               {CatOIDC, "Profile picture URL"},
	"website":               {CatOIDC, "Web page or blog URL"},
	"email":                 {CatOIDC, "Email address; trust it only if email_verified is true"},
	"email_verified":        {CatOIDC, "Whether the provider verified the email address"},
	"gender":                {CatOIDC, "Gender"},
	"birthdate":             {CatOIDC, "Birthday (YYYY-MM-DD)"},
	"zoneinfo":              {CatOIDC, "Time zone (IANA name)"},
	"locale":                {CatOIDC, "Locale (BCP 47)"},
	"phone_number":          {CatOIDC, "Phone number"},
	"phone_number_verified": {CatOIDC, "Whether the provider verified the phone number"},
	"address":               {CatOIDC, "Postal address (JSON object)"},
	"updated_at":            {CatOIDC, "When the profile was last updated"},
	// Auth0
	"gty":         {CatAuth0, "Auth0 grant type that issued the token (client-credentials, password, refresh_token)"},
	"permissions": {CatAuth0, "Auth0 RBAC permissions for this API (when RBAC and 'Add permissions' are on)"},
	"org_id":      {CatAuth0, "Auth0 Organization the user logged in through"},
	"org_name":    {CatAuth0, "Auth0 Organization name"},
	// Other providers
	"scp":             {CatProvider, "Scopes granted (Okta: an array; Entra ID: space-separated delegated scopes)"},
	"cid":             {CatProvider, "Client ID (Okta)"},
	"uid":             {CatProvider, "User ID (Okta)"},
	"ver":             {CatProvider, "Token format version (Okta, Entra ID)"},
	"tid":             {CatProvider, "Tenant ID (Entra ID)"},
	"oid":             {CatProvider, "Object ID of the user (Entra ID)"},
	"appid":           {CatProvider, "Client ID of the application the token was issued to (Entra ID v1)"},
	"appidacr":        {CatProvider, "How the client authenticated: 0 public, 1 secret, 2 certificate (Entra ID v1)"},
	"azpacr":          {CatProvider, "How the client authenticated: 0 public, 1 secret, 2 certificate (Entra ID v2)"},
	"upn":             {CatProvider, "User principal name, often the sign-in email; may change (Entra ID)"},
	"unique_name":     {CatProvider, "Display name of the subject; not unique, do not authorize on it (Entra ID v1)"},
	"wids":            {CatProvider, "Directory role template IDs of the user (Entra ID)"},
	"idp":             {CatProvider, "Identity provider that authenticated the subject (Entra ID)"},
	"ipaddr":          {CatProvider, "IP address the user authenticated from (Entra ID)"},
	"aio":             {CatProvider, "Internal data for token reuse; opaque, do not rely on it (Entra ID)"},
	"uti":             {CatProvider, "Token identifier, internal; opaque (Entra ID)"},
	"rh":              {CatProvider, "Internal claim used to revalidate tokens; opaque (Entra ID)"},
	"hd":              {CatProvider, "Hosted Google Workspace domain of the user (Google)"},
	"typ":             {CatProvider, "Token type (Keycloak: Bearer, ID, Refresh)"},
	"realm_access":    {CatProvider, "Realm roles (Keycloak)"},
	"resource_access": {CatProvider, "Client roles per client (Keycloak)"},
	"session_state":   {CatProvider, "Session ID (Keycloak)"},
	"allowed-origins": {CatProvider, "CORS origins allowed for this client (Keycloak)"},
}

// timeClaims are the claims whose values are NumericDates.
var timeClaims = map[string]bool{"exp": true, "nbf": true, "iat": true, "auth_time": true, "updated_at": true}
