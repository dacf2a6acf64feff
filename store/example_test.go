package store_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// A tenant is saved with its client secret: the tenant goes to the config file, the
// secret to the keyring (here an in-memory one, in place of the OS keyring).
func Example() {
	dir, _ := os.MkdirTemp("", "tokenbench-example-")
	defer os.RemoveAll(dir)

	ts := store.OpenTenants(filepath.Join(dir, "config.toml"))
	ts.Secrets = &store.Secrets{Keyring: memoryKeyring{}}
	prod := store.Tenant{Name: "prod", Kind: store.KindAuth0, Domain: "example.eu.auth0.com",
		ClientID: "abc123", Confidential: true, Grant: oauth.GrantClientCredentials}
	if err := ts.Add(prod, store.SetSecret("s3cret")); err != nil {
		fmt.Println(err)
		return
	}
	t, _ := ts.Resolve("") // the first tenant added is the default
	st, _ := ts.Status(t.Name)
	fmt.Println(t.Name, t.IssuerURL())
	fmt.Println("client secret:", st.ClientSecret, "· cached token:", st.TokenSet)
	fmt.Println("header entry:", store.Service, store.Account("prod", store.SecretClient))
	// Output:
	// prod https://example.eu.auth0.com/
	// client secret: stored · cached token: none
	// header entry: tokenbench prod/client-secret
}

// memoryKeyring keeps entries in a map, as a keyring would keep them.
type memoryKeyring map[string]string

func (k memoryKeyring) Set(service, account, value string) error {
	k[service+"/"+account] = value
	return nil
}

func (k memoryKeyring) Get(service, account string) (string, error) {
	v, ok := k[service+"/"+account]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k memoryKeyring) Delete(service, account string) error {
	delete(k, service+"/"+account)
	return nil
}
