// Package depspin keeps the project's pinned dependencies in go.mod while the code that uses them is being written.
package depspin

import (
	_ "charm.land/bubbles/v2/help"
	_ "charm.land/bubbles/v2/key"
	_ "charm.land/bubbles/v2/spinner"
	_ "charm.land/bubbles/v2/textarea"
	_ "charm.land/bubbles/v2/viewport"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/huh/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/BurntSushi/toml"
	_ "github.com/charmbracelet/x/ansi"
	_ "github.com/charmbracelet/x/exp/teatest/v2"
	_ "github.com/cli/browser"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/gofrs/flock"
	_ "github.com/spf13/cobra"
	_ "github.com/zalando/go-keyring"
	_ "github.com/zitadel/oidc/v3/example/server/storage"
	_ "github.com/zitadel/oidc/v3/pkg/client/rp"
	_ "github.com/zitadel/oidc/v3/pkg/op"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/sync/singleflight"
	_ "rsc.io/qr"
)
