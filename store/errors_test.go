package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Every error store hands a front end reads as words a person can use: no package
// prefix ("store:") for the front end to strip, one line.
func TestErrorsHaveNoPackagePrefix(t *testing.T) {
	errs := []error{
		ErrTenantAndIssuer, ErrTenantNoIssuer, ErrNeedsPerson, ErrLocked, ErrKeyringUnavailable,
		ErrSecretNotFound, ErrSecretCorrupt, ErrInvalidTenant, ErrTenantNotFound, ErrTenantExists,
		ErrNoDefault, ErrTokenCacheUnreadable,
		&NeedsPersonError{Tenant: "dev"}, &NeedsPersonError{Tenant: "dev", Cached: true},
		&ForeignCacheError{Tenant: "dev", CachedIssuer: "https://a/", TenantIssuer: "https://b/"},
		&SharedFailureError{Tenant: "dev", At: time.Unix(0, 0), Reason: "token endpoint answered invalid_grant"},
		&LockError{Path: "/tmp/dev.lock", Waited: time.Second},
		&LockError{Path: "/tmp/dev.lock", Err: errors.New("permission denied")},
		&SecretsLeftError{Tenant: "dev", Cause: "no session bus"},
		&TenantError{Name: "dev", Field: "domain", Reason: "is empty"},
		&ConfigError{Path: "/tmp/c.toml", Line: 3, Err: errors.New("bad")},
		&CorruptSecretError{Account: "dev/client", Reason: "torn"},
	}
	for _, err := range errs {
		msg := err.Error()
		if strings.HasPrefix(msg, "store:") || strings.Contains(msg, ": store:") || strings.Contains(msg, "\n") {
			t.Errorf("%T: %q has a package prefix or a line break", err, msg)
		}
	}
}
