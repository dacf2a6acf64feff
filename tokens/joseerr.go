package tokens

import "strings"

// joseReason is the cause an error from go-jose gives, without the library's name.
//
// go-jose reports malformed JWKs and failed JWE operations with untyped errors
// (errors.New and fmt.Errorf text starting "go-jose/go-jose: "), apart from the few
// sentinels (ErrCryptoFailure, ErrUnsupportedKeyType, …) that callers test with
// errors.Is first. The text is therefore the only cause there is; this function is the
// one place it is edited, where it enters a tokens value, so that no caller further out
// has to.
func joseReason(err error) string {
	return strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
}
