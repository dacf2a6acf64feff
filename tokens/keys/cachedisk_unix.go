//go:build unix

package keys

import (
	"os"
	"syscall"
)

// ownedByUser reports whether fi belongs to the user running tokenbench: a cache file
// someone else owns could hold keys they chose, so it is not trusted.
func ownedByUser(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
