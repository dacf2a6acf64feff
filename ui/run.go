// Package ui is tokenbench's Bubble Tea workbench.
package ui

import "errors"

// Options configures the workbench started by Run.
type Options struct {
	// Token is raw pasted text to open, or empty for the built-in example token.
	Token string
}

// Run starts the workbench and blocks until the user quits.
func Run(opts Options) error {
	return errors.New("the workbench is not built yet")
}
